package awsbus_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
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
// declared dead. On a FIFO queue whose visibility timeout outlasts the cut
// call, the next call carries the id of the unanswered one, so SQS answers
// it with the messages of a lost answer, and a call after an answered one
// has an id of its own. In the synctest bubble the waits pass at once.
func TestSubscriberCutsShortAReceiveThatIsNeverAnswered(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWire(t, name, 5, awsbus.SubscriberConfig{})
				h := &hangingSQS{SQSAPI: w.sqs, hang: 1}
				sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: h, ConsumerConfig: awsbus.ConsumerConfig{
					WaitTime: 2 * time.Second, VisibilityTimeout: time.Minute,
				}}, func(*topology.Endpoint) {})
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

// lostAnswerSQS loses the answer of its first ReceiveMessage call: SQS
// receives the messages, and the call is left unanswered until its context
// ends. A later call with the same ReceiveRequestAttemptId is answered, as
// SQS answers it, with the same messages and receipt handles.
type lostAnswerSQS struct {
	awsbus.SQSAPI

	mu   sync.Mutex
	lost map[string]*sqs.ReceiveMessageOutput
	done bool
}

func (l *lostAnswerSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	id := aws.ToString(in.ReceiveRequestAttemptId)
	l.mu.Lock()
	kept, repeated := l.lost[id]
	first := !l.done
	l.done = true
	l.mu.Unlock()
	if repeated {
		return kept, nil
	}
	out, err := l.SQSAPI.ReceiveMessage(ctx, in, o...)
	if err != nil || !first {
		return out, err
	}
	l.mu.Lock()
	l.lost[id] = out
	l.mu.Unlock()
	<-ctx.Done()
	return nil, ctx.Err()
}

// The messages SQS answers a repeated ReceiveRequestAttemptId with were
// received by the first call that carried it, and SQS counts their
// 12-hour visibility limit from that receive: a message nacked a minute
// before the limit, counted from there, is made visible again within it,
// not 32 s (the lost call's bound) past it. In the synctest bubble the
// clock jumps over the hours at once.
func TestSubscriberCountsTheVisibilityLimitFromTheReceiveOfALostAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
		rec := newRecordingSQS(&lostAnswerSQS{SQSAPI: w.sqs, lost: map[string]*sqs.ReceiveMessageOutput{}})
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 2 * time.Second, VisibilityTimeout: topology.MaxVisibilityTimeout, NackBackoff: 10 * time.Minute,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders.fifo", command("held", "g")))
		start := time.Now()
		ch, err := sub.Subscribe(context.Background(), "orders.fifo")
		require.NoError(t, err)
		var m *message.Message
		select {
		case m = <-ch:
		case <-time.After(time.Hour):
			t.Fatal("the message of the lost answer was not handed out")
		}
		require.GreaterOrEqual(t, time.Since(start), 32*time.Second, "handed out by the call after the lost one")

		// The bubble's clock: nearly twelve hours pass at once, no real wait.
		time.Sleep(topology.MaxVisibilityTimeout - time.Minute - time.Since(start))
		m.Nack()
		require.NoError(t, sub.Close()) // the nack is settled

		changes := rec.changesOf(rec.receipt(t, 0))
		require.Len(t, changes, 1, "one visibility change, the nack's")
		assert.NoError(t, changes[0].err, "SQS took the nack's visibility timeout")
		assert.LessOrEqual(t, changes[0].timeout, int32(50), "the minute left, less a margin for the call")
	})
}

// Once the messages of a lost answer are visible again (the visibility
// timeout, here 30 s, is shorter than the cut call's 32 s), repeating its
// ReceiveRequestAttemptId rescues nothing, and an answer the client cannot
// read would come back on every try: the next call has an id of its own.
func TestSubscriberDropsTheAttemptIDOfACutCallOnceItsMessagesAreVisibleAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
		h := &hangingSQS{SQSAPI: w.sqs, hang: 1}
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: h, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 2 * time.Second, VisibilityTimeout: 30 * time.Second,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders.fifo", command("1", "g")))
		ch, err := sub.Subscribe(context.Background(), "orders.fifo")
		require.NoError(t, err)
		select {
		case m := <-ch:
			m.Ack()
		case <-time.After(time.Hour):
			t.Fatal("no message within an hour")
		}
		require.NoError(t, sub.Close())

		calls := h.recorded()
		require.GreaterOrEqual(t, len(calls), 2)
		first, second := aws.ToString(calls[0].in.ReceiveRequestAttemptId), aws.ToString(calls[1].in.ReceiveRequestAttemptId)
		assert.NotEmpty(t, first)
		assert.NotEqual(t, first, second, "the cut call's messages are visible again: a fresh id")
	})
}
