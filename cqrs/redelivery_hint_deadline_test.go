package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// deadlineSubscriber delivers one message on "orders" as watermill-sql
// (sqlbus) does: again at once after a nack, within the same ack deadline,
// and anew, with a fresh deadline, once ackDeadline passed unacked.
type deadlineSubscriber struct {
	proto       *message.Message
	ackDeadline time.Duration
}

func (s *deadlineSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ch := make(chan *message.Message)
	go func() {
		defer close(ch)
		for topic == "orders" && s.readOnce(ctx, ch) {
		}
		<-ctx.Done()
	}()
	return ch, nil
}

// readOnce hands out the message until it is acked or its deadline passed,
// and reports whether to read it again.
func (s *deadlineSubscriber) readOnce(ctx context.Context, ch chan<- *message.Message) bool {
	mctx, cancel := context.WithTimeout(context.Background(), s.ackDeadline)
	defer cancel()
	for {
		m := s.proto.Copy()
		m.SetContext(mctx)
		select {
		case ch <- m:
		case <-ctx.Done():
			return false
		}
		select {
		case <-m.Acked():
			return false
		case <-m.Nacked():
		case <-mctx.Done():
			return true
		case <-ctx.Done():
			return false
		}
	}
}

func (*deadlineSubscriber) Close() error { return nil }

// graceDeliveries runs, in a synctest bubble, a PubSubTransport over a
// deadlineSubscriber whose handler fails as the encryption Decrypter does
// for a refused key: within a 15-minute grace with a hint of a quarter of
// it or what is left, past it permanently. It returns the dead letter's
// reason and the delivery times since the first.
func graceDeliveries(t *testing.T, ackDeadline time.Duration, maxDeliveries int) (reason string, at []time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		const grace = 15 * time.Minute
		rig := newPubSubRig(t)
		dlq := rig.deadLetters(t, "orders-dlq")
		sub := &deadlineSubscriber{proto: rawCommandID("k-1", "orders.CreateOrder", "o-1", `{"amount":1}`), ackDeadline: ackDeadline}
		var mu sync.Mutex
		var first time.Time
		gate := func(message.HandlerFunc) message.HandlerFunc {
			return func(*message.Message) ([]*message.Message, error) {
				mu.Lock()
				defer mu.Unlock()
				if first.IsZero() {
					first = time.Now()
				}
				since := time.Since(first)
				at = append(at, since)
				refused := errors.New("key disabled")
				if since >= grace {
					return nil, sourceflow.Permanent(errors.New("key disabled past the grace"))
				}
				return nil, sourceflow.RetryAfter(refused, min(grace/4, grace-since))
			}
		}
		tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: rig,
			Subscriber:   func(string, string) (message.Subscriber, error) { return sub, nil },
			Capabilities: cqrs.Capabilities{ConsumerGroups: true}, MaxDeliveries: maxDeliveries})
		require.NoError(t, err)
		app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
			Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{gate}}})
		require.NoError(t, app.svc.Start(context.Background()))
		for len(dlq.all()) == 0 {
			time.Sleep(time.Second) // fake time
		}
		require.NoError(t, app.svc.Close())
		reason = dlq.all()[0].Metadata.Get(sourceflow.MetaFailure)
	})
	return reason, at
}

// On sqlbus each AckDeadline ends a hinted pause and brings one more
// delivery: with an AckDeadline of 4 minutes a refused key's message is
// kept for the grace at the default 8 deliveries, but 5 deliveries end it
// at 8 minutes, so MaxDeliveries must stay at 8 or more there.
func TestAHintedPauseOnSQLBusEndsAtTheAckDeadline(t *testing.T) {
	reason, at := graceDeliveries(t, 4*time.Minute, 8)
	assert.Contains(t, reason, "past the grace", "deliveries at %v", at)
	reason, at = graceDeliveries(t, 4*time.Minute, 5)
	assert.NotContains(t, reason, "past the grace", "deliveries at %v", at)
	assert.Less(t, at[len(at)-1], 15*time.Minute, "dead-lettered before the grace ended")
}
