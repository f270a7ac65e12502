package cli_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// failingConsumer is a source queue whose consumer fails every message at
// once: what is sent to source is dead-lettered again, with a new SQS id.
// With stamp, those messages say they were sent a second after the fake
// clock's now, as SQS stamps a message dead-lettered during the run. It
// cancels the run after maxSends sends to source.
type failingConsumer struct {
	*awsbustest.MoveTaskSQS
	source, dlq string
	clock       *fakeClock
	stamp       bool
	maxSends    int
	cancel      context.CancelFunc

	mu    sync.Mutex
	sends int
	back  map[string]bool
}

func (f *failingConsumer) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	if aws.ToString(in.QueueUrl) != f.source {
		return f.MoveTaskSQS.SendMessageBatch(ctx, in, opts...)
	}
	again := *in
	again.QueueUrl = aws.String(f.dlq)
	out, err := f.MoveTaskSQS.SendMessageBatch(ctx, &again, opts...)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sends++; f.sends >= f.maxSends {
		f.cancel()
	}
	if err == nil {
		for _, s := range out.Successful {
			f.back[aws.ToString(s.MessageId)] = true
		}
	}
	return out, err
}

func (f *failingConsumer) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := f.MoveTaskSQS.ReceiveMessage(ctx, in, opts...)
	if err != nil || !f.stamp {
		return out, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	later := strconv.FormatInt(f.clock.Now().Add(time.Second).UnixMilli(), 10)
	for i, m := range out.Messages {
		if f.back[aws.ToString(m.MessageId)] {
			out.Messages[i].Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)] = later
		}
	}
	return out, nil
}

func (f *failingConsumer) Sends() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends
}

func TestDLQRedrive_EndsWhenTheConsumerKeepsFailing(t *testing.T) {
	tests := []struct {
		name string
		// stamp marks the returning messages as sent after the start; the
		// run then stops at them even when --max allows more.
		stamp bool
		args  []string
	}{
		{"at the depth measured at the start", false, nil},
		{"at the first message sent after the start", true, []string{"--max", "100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newDLQEnv(t)
			for _, id := range []string{"a", "b", "c"} {
				e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := &failingConsumer{MoveTaskSQS: e.sqs, source: e.sqs.QueueURL("orders-order-events"),
				dlq: e.sqs.QueueURL("orders-order-events-dlq"), clock: e.clock, stamp: tt.stamp, maxSends: 5,
				cancel: cancel, back: map[string]bool{}}
			e.client = f

			args := append([]string{"dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy"}, tt.args...)
			out, errOut, code := e.runContext(t, ctx, args...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Equal(t, 1, f.Sends(), "each message moved once")
			assert.Contains(t, out, "Moved 3 messages")
			assert.Contains(t, out, "3 messages came back to orders-order-events-dlq during the redrive")
			left := e.messages("orders-order-events-dlq")
			assert.Len(t, left, 3)
			for _, m := range left {
				assert.False(t, m.InFlight, "released")
			}
		})
	}
}
