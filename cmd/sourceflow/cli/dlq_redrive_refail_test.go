package cli_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// failingConsumer is a source queue whose consumer fails every message at
// once: what is sent to source is dead-lettered again, keeping the SQS id
// its send got, as SQS keeps a message's id when it moves it to a
// dead-letter queue. It cancels the run after maxSends sends to source.
type failingConsumer struct {
	*awsbustest.MoveTaskSQS
	source, dlq string
	maxSends    int
	cancel      context.CancelFunc
	// deadLetters makes the consumer dead-letter as awsbus does: a new
	// SQS message with the same attributes, whose SQS id differs from the
	// one the send to source got.
	deadLetters bool

	mu    sync.Mutex
	sends int
}

func (f *failingConsumer) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	if aws.ToString(in.QueueUrl) != f.source {
		return f.MoveTaskSQS.SendMessageBatch(ctx, in, opts...)
	}
	again := *in
	again.QueueUrl = aws.String(f.dlq)
	out, err := f.MoveTaskSQS.SendMessageBatch(ctx, &again, opts...)
	if err == nil && f.deadLetters {
		for i := range out.Successful {
			out.Successful[i].MessageId = aws.String("source-" + aws.ToString(out.Successful[i].MessageId))
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sends++; f.sends >= f.maxSends {
		f.cancel()
	}
	return out, err
}

func (f *failingConsumer) Sends() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends
}

func TestDLQRedrive_EndsWhenTheConsumerKeepsFailing(t *testing.T) {
	tests := []struct {
		name string
		// skew is how far the machine's clock is from AWS's: the run must
		// not depend on it.
		skew time.Duration
		args []string
		// deadLetters: the consumer dead-letters as awsbus does.
		deadLetters bool
		// foreign: the messages are another producer's, without a
		// message id (sf_id) of their own.
		foreign bool
	}{
		{"at the depth measured at the start", 0, nil, false, false},
		{"at the first message it sent that comes back, the machine's clock ahead of AWS's", time.Hour, []string{"--max", "100"}, false, false},
		{"at the first message it sent that comes back, the machine's clock behind AWS's", -time.Hour, []string{"--max", "100"}, false, false},
		{"at the first message it sent that an awsbus consumer dead-letters again", 0, []string{"--max", "100"}, true, false},
		{"at the first message without a message id that an awsbus consumer dead-letters again", 0, []string{"--max", "100"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newDLQEnv(t)
			for _, id := range []string{"a", "b", "c"} {
				if tt.foreign {
					e.putForeign(t, "orders-order-events-dlq", id)
					continue
				}
				e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.clock.Set(time.Now().Add(tt.skew))
			f := &failingConsumer{MoveTaskSQS: e.sqs, source: e.sqs.QueueURL("orders-order-events"),
				dlq: e.sqs.QueueURL("orders-order-events-dlq"), maxSends: 5, cancel: cancel, deadLetters: tt.deadLetters}
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

// putForeign puts on queue a message of another producer, dead-lettered by
// awsbus: body and one attribute of its own, the reason, no message id.
func (e *dlqEnv) putForeign(t *testing.T, queue, body string) {
	t.Helper()
	_, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL(queue)), MessageBody: aws.String(body),
		MessageAttributes: stringAttributes(map[string]string{"kind": "legacy", sourceflow.MetaFailure: "boom"}),
	})
	require.NoError(t, err)
}
