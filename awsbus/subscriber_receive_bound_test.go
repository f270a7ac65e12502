package awsbus_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// hangingSQS leaves its first hang ReceiveMessage calls unanswered until
// their context ends, as a connection that died silently during a long
// poll does, and records every call's input and how long it was given.
type hangingSQS struct {
	awsbus.SQSAPI
	hang int

	mu    sync.Mutex
	calls []hungCall
}

type hungCall struct {
	in    *sqs.ReceiveMessageInput
	bound time.Duration // 0: no deadline
}

func (h *hangingSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	h.mu.Lock()
	c := hungCall{in: in}
	if dl, ok := ctx.Deadline(); ok {
		c.bound = time.Until(dl)
	}
	h.calls = append(h.calls, c)
	hang := len(h.calls) <= h.hang
	h.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.SQSAPI.ReceiveMessage(ctx, in, o...)
}

func (h *hangingSQS) recorded() []hungCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hungCall(nil), h.calls...)
}

// A ReceiveMessage call that is never answered is cut short once its long
// poll plus 30 s has passed, and the next call receives the message: the
// subscription does not stop for as long as the connection takes to be
// declared dead. On a FIFO queue the next call carries the id of the
// unanswered one, so SQS answers it with the messages of a lost answer,
// and a call after an answered one has an id of its own. In the synctest
// bubble the waits pass at once.
func TestSubscriberCutsShortAReceiveThatIsNeverAnswered(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWire(t, name, 5, awsbus.SubscriberConfig{})
				h := &hangingSQS{SQSAPI: w.sqs, hang: 1}
				sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: h, ConsumerConfig: awsbus.ConsumerConfig{WaitTime: 2 * time.Second}},
					func(*topology.Endpoint) {})
				require.NoError(t, w.pub.Publish(name, command("1", "g")))
				start := time.Now()
				ch, err := sub.Subscribe(context.Background(), name)
				require.NoError(t, err)
				select {
				case m := <-ch:
					m.Ack()
				case <-time.After(time.Hour):
					t.Fatal("no message within an hour: the unanswered receive was never cut short")
				}
				took := time.Since(start)
				synctest.Wait() // the next long poll has started
				require.NoError(t, sub.Close())

				calls := h.recorded()
				require.GreaterOrEqual(t, len(calls), 3)
				assert.Equal(t, 32*time.Second, calls[0].bound, "the 2 s long poll plus 30 s")
				assert.GreaterOrEqual(t, took, 32*time.Second)
				assert.Less(t, took, 33*time.Second, "received by the call after the unanswered one")
				if !w.ep.FIFO {
					return
				}
				id := func(i int) string { return aws.ToString(calls[i].in.ReceiveRequestAttemptId) }
				assert.NotEmpty(t, id(0))
				assert.Equal(t, id(0), id(1), "the call after the unanswered one asks for its messages again")
				assert.NotEqual(t, id(1), id(2), "a call after an answered one has an id of its own")
			})
		})
	}
}
