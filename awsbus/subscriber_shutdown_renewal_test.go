package awsbus_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// pausedSQS stands in for an endpoint that stopped answering (a paused
// LocalStack) once paused is set: every call the subscriber makes then
// returns only when its context ends. It records when each visibility
// renewal (a ChangeMessageVisibilityBatch call with a non-zero timeout)
// started, and for which messages, by the id in their bodies.
type pausedSQS struct {
	awsbus.SQSAPI
	paused   atomic.Bool
	mu       sync.Mutex
	ids      map[string]string // receipt handle -> message id
	renewals []renewalCall
}

type renewalCall struct {
	at  time.Time
	ids []string
}

// hang returns ctx's error once ctx ends, when paused is set.
func (s *pausedSQS) hang(ctx context.Context) error {
	if !s.paused.Load() {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s *pausedSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	out, err := s.SQSAPI.ReceiveMessage(ctx, in, o...)
	if err == nil {
		s.mu.Lock()
		for _, m := range out.Messages {
			var body struct{ ID string }
			_ = json.Unmarshal([]byte(aws.ToString(m.Body)), &body)
			s.ids[aws.ToString(m.ReceiptHandle)] = body.ID
		}
		s.mu.Unlock()
	}
	return out, err
}

func (s *pausedSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if len(in.Entries) > 0 && in.Entries[0].VisibilityTimeout > 0 {
		call := renewalCall{at: time.Now()}
		s.mu.Lock()
		for _, e := range in.Entries {
			call.ids = append(call.ids, s.ids[aws.ToString(e.ReceiptHandle)])
		}
		s.renewals = append(s.renewals, call)
		s.mu.Unlock()
	}
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	return s.SQSAPI.ChangeMessageVisibilityBatch(ctx, in, o...)
}

func (s *pausedSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	return s.SQSAPI.ChangeMessageVisibility(ctx, in, o...)
}

func (s *pausedSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, o ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	return s.SQSAPI.SendMessage(ctx, in, o...)
}

// renewalsOf returns the renewals recorded so far.
func (s *pausedSQS) renewalsOf() []renewalCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]renewalCall(nil), s.renewals...)
}

// Against an endpoint that stops answering while a renewal is under way,
// shutdown keeps to its bound: no renewal starts after the shutdown
// deadline, nor for a message whose handler returned (a plain nack, or a
// nack dead-lettering it whose copy fails), so a settle waits for no
// renewal but the one under way, and Close returns within ShutdownTimeout,
// that renewal and one settling call (on FIFO, one more for the message
// held behind its group's head, released after it). In the synctest bubble
// the clock jumps over the 10-second calls.
func TestSubscriberShutdownStartsNoRenewalAfterTheDeadlineWhenSQSStopsAnswering(t *testing.T) {
	const shutdown, call = 5 * time.Second, 10 * time.Second
	cases := []struct {
		queue    string
		entities []string // of stuck, nacked, failed and, on FIFO, held behind stuck
		bound    time.Duration
	}{
		{queue: "orders", entities: []string{"e", "e", "e"}, bound: shutdown + 2*call},
		{queue: "orders.fifo", entities: []string{"e", "g", "f", "e"}, bound: shutdown + 3*call},
	}
	for _, tc := range cases {
		t.Run(tc.queue, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				paused, sub, handed := startPaused(t, tc.queue, tc.entities, shutdown)
				start := time.Now()
				closed := make(chan error, 1)
				go func() { closed <- sub.Close() }()
				time.Sleep(time.Second)
				handed["nacked"].Nack()
				handed["failed"].Metadata.Set(sourceflow.MetaFailure, "permanent")
				handed["failed"].Nack()
				returned := time.Now()
				select {
				case err := <-closed:
					require.NoError(t, err)
				case <-time.After(time.Hour):
					t.Fatal("Close did not return")
				}

				assert.LessOrEqual(t, time.Since(start), tc.bound, "ShutdownTimeout, the renewal under way and the settling calls")
				deadline := start.Add(shutdown)
				for _, r := range paused.renewalsOf() {
					assert.False(t, r.at.After(deadline), "renewal of %v started %v after the shutdown deadline", r.ids, r.at.Sub(deadline))
					if r.at.After(returned) {
						assert.NotContains(t, r.ids, "nacked", "renewed after its handler returned")
						assert.NotContains(t, r.ids, "failed", "renewed after its handler returned")
					}
				}
			})
		})
	}
}

// startPaused publishes stuck, nacked, failed and (with a fourth entity)
// held to queue, with the given entities, subscribes with a 10s
// VisibilityTimeout, hands out every message but held, stops the endpoint
// answering, and returns once the heartbeat's first renewal is under way.
func startPaused(t *testing.T, queue string, entities []string, shutdown time.Duration) (*pausedSQS, *awsbus.Subscriber, map[string]*message.Message) {
	t.Helper()
	w := newWire(t, queue, 5, awsbus.SubscriberConfig{})
	paused := &pausedSQS{SQSAPI: w.sqs, ids: map[string]string{}}
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: paused, ConsumerConfig: awsbus.ConsumerConfig{
		WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: shutdown,
	}}, func(*topology.Endpoint) {})
	names := []string{"stuck", "nacked", "failed", "held"}
	msgs := make([]*message.Message, len(entities))
	for i, e := range entities {
		msgs[i] = command(names[i], e)
	}
	require.NoError(t, w.pub.Publish(queue, msgs...))
	ch, err := sub.Subscribe(context.Background(), queue)
	require.NoError(t, err)
	handed := map[string]*message.Message{}
	for range 3 {
		m := next(t, ch)
		handed[m.Metadata.Get(sourceflow.MetaMessageID)] = m
	}
	synctest.Wait()
	paused.paused.Store(true)
	time.Sleep(6 * time.Second) // renewals come once half the visibility timeout passed
	synctest.Wait()
	require.Len(t, paused.renewalsOf(), 1, "a renewal is under way when the shutdown begins")
	return paused, sub, handed
}

// Until the shutdown deadline the heartbeat still renews a message its
// handler holds: acked late in a ShutdownTimeout longer than the
// visibility timeout, it stayed invisible, is deleted, and was received
// once. In the synctest bubble the clock jumps over the wait.
func TestSubscriberShutdownRenewsHandledMessagesUntilTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, VisibilityTimeout: 2 * time.Second, ShutdownTimeout: 10 * time.Second,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders", command("slow", "e")))
		ch, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		m := next(t, ch)
		closed := make(chan error, 1)
		go func() { closed <- sub.Close() }()

		time.Sleep(8 * time.Second) // four visibility timeouts into the shutdown wait
		synctest.Wait()
		onQueue := w.sqs.Messages(w.ep.QueueURL)
		require.Len(t, onQueue, 1)
		assert.True(t, onQueue[0].InFlight, "renewed while its handler runs")
		assert.Equal(t, 1, onQueue[0].ReceiveCount, "not received again")
		m.Ack()
		require.NoError(t, <-closed)
		assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "acked before the deadline, so deleted")
	})
}
