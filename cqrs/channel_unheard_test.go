package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type unheardPay struct{}
type unheardPaid struct{}
type unheardAccount struct{ Paid bool }
type unheardCard struct{ Paid bool }

// publishedPublisher counts the messages whose publish returned.
type publishedPublisher struct {
	message.Publisher
	published *atomic.Int64
}

func (p publishedPublisher) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	p.published.Add(int64(len(msgs)))
	return err
}

// unheardProducer is a live service whose saga raises an unheardPaid to
// "pay-events" for every unheardPay it handles; published counts the
// events whose publish returned.
func unheardProducer(t *testing.T, tr cqrs.Transport, published *atomic.Int64) *cqrs.Service {
	t.Helper()
	count := func(pub message.Publisher) (message.Publisher, error) {
		return publishedPublisher{Publisher: pub, published: published}, nil
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "bank", Transport: tr, Listen: []string{"pay"},
		Hooks: cqrs.Hooks{EventDispatch: []message.PublisherDecorator{count}}})
	require.NoError(t, err)
	accounts := cqrs.NewSaga[unheardAccount](svc, "account")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[unheardPay](svc, "bank.Pay", "pay"),
		cqrs.RegisterEvent[unheardPaid](svc, "bank.Paid", "pay-events"),
		cqrs.Handle(accounts, func(_ context.Context, a *unheardAccount, _ unheardPay, _ cqrs.Envelope) ([]any, error) {
			a.Paid = true
			return []any{unheardPaid{}}, nil
		}),
	))
	return svc
}

// unheardConsumer is a service whose view projects the unheardPaid events
// of "pay-events".
func unheardConsumer(t *testing.T, tr cqrs.Transport) (*cqrs.Service, *cqrs.View[unheardCard]) {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "cards", Transport: tr, Listen: []string{"pay-events"}})
	require.NoError(t, err)
	cards := cqrs.NewView[unheardCard](svc, "card")
	require.NoError(t, errors.Join(
		cqrs.RegisterEvent[unheardPaid](svc, "bank.Paid", "pay-events"),
		cqrs.Project(cards, func(_ context.Context, c *unheardCard, _ unheardPaid, _ cqrs.Envelope) error {
			c.Paid = true
			return nil
		}),
	))
	return svc, cards
}

// Once the only consumer of an event destination closed for good, what a
// live service raises there, from a handler or not, is dropped, as pub/sub
// drops what nobody subscribes to: no dead letter, which would crowd the
// real ones out of the MaxDeadLetters window.
func TestChannelEventToADestinationWhoseConsumerClosedIsDropped(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "sync", true: "async"}[async], func(t *testing.T) {
			tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: async})
			require.NoError(t, err)
			t.Cleanup(func() { _ = tr.Close() })
			var published atomic.Int64
			producer := unheardProducer(t, tr, &published)
			consumer, cards := unheardConsumer(t, tr)
			require.NoError(t, consumer.Start(context.Background()))
			start(t, producer)
			pay := cqrs.NewAggregate(producer, "account")

			_, err = pay.Send(context.Background(), "a0", unheardPay{})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				card, _, err := cards.Get(context.Background(), "a0")
				return err == nil && card.Paid
			}, 10*time.Second, time.Millisecond, "the consumer receives the events while it listens")
			require.NoError(t, consumer.Close())

			const sends = 5
			for i := range sends {
				_, err := pay.Send(context.Background(), fmt.Sprintf("a%d", i+1), unheardPay{})
				require.NoError(t, err)
			}
			_, err = producer.EventQueue().Raise(context.Background(), "a9", unheardPaid{})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return published.Load() == sends+2 }, 10*time.Second, time.Millisecond,
				"every event was published")
			assert.Zero(t, tr.DeadLetterCount(), "an event nobody listens to any more is no dead letter")
			assert.Empty(t, tr.DeadLetters())
		})
	}
}
