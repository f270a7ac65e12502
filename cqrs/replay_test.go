package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// countingTransport counts every message published through it.
type countingTransport struct {
	cqrs.Transport
	published atomic.Int64
}

func (c *countingTransport) Publisher(dest string) (message.Publisher, error) {
	pub, err := c.Transport.Publisher(dest)
	return countingPublisher{Publisher: pub, n: &c.published}, err
}

type countingPublisher struct {
	message.Publisher
	n *atomic.Int64
}

func (p countingPublisher) Publish(topic string, msgs ...*message.Message) error {
	p.n.Add(int64(len(msgs)))
	return p.Publisher.Publish(topic, msgs...)
}

func TestReplayRebuildsLocallyWithTheReplayFlagAndPublishesNothing(t *testing.T) {
	counting := &countingTransport{Transport: newTransport(t)}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: counting})
	var replayed recorder[cqrs.Envelope]
	spy := cqrs.NewView[Summary](app.svc, "spy")
	require.NoError(t, cqrs.Project(spy, func(_ context.Context, _ *Summary, _ PaymentProcessed, env cqrs.Envelope) error {
		replayed.add(env)
		return nil
	}))
	app.start(t)
	ctx := context.Background()
	_, err := app.agg.Send(ctx, "o-1", CreateOrder{Customer: "ada", Amount: 5})
	require.NoError(t, err)
	before := counting.published.Load()
	require.Equal(t, int64(4), before, "2 commands and 2 events went through the transport")

	report, err := app.agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, before, counting.published.Load(), "replay published nothing")
	assert.Equal(t, 2, report.Commands)
	assert.Equal(t, 1, report.Skipped, "the ProcessPayment the replayed OrderCreated reaction sent")
	assert.Equal(t, 4, report.Handled, "the two stored commands and the two events they raised")
	assert.Nil(t, report.ViewsKept, "both views project only events the replay raised, about the entity")

	order, _, err := app.orders.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Order{Customer: "ada", Amount: 5, Paid: true, Commands: 2}, order, "rebuilt from empty, not applied twice")
	summary, _, err := app.view.Get(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Summary{Amount: 5, Paid: true, Events: 2}, summary)
	stream, err := app.store.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Len(t, stream, 2, "replay stores no new commands")

	envs := replayed.all()
	require.Len(t, envs, 2, "one live delivery and one during replay")
	assert.False(t, envs[0].Replay)
	for _, e := range envs[1:] {
		assert.True(t, e.Replay)
	}
}

func TestReplayNeverSendsToRemoteDestinations(t *testing.T) {
	counting := &countingTransport{Transport: newTransport(t)}
	sender := newService(t, counting, "web")
	worker := newService(t, counting, "worker", "orders")
	var handled atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](worker, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		handled.Add(1)
		return nil, nil
	}))
	start(t, worker)
	start(t, sender)
	agg := cqrs.NewAggregate(sender, "order")
	ctx := context.Background()
	_, err := agg.Send(ctx, "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
	before := counting.published.Load()

	report, err := agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.ReplayReport{Commands: 1, Skipped: 1}, report)
	assert.Equal(t, before, counting.published.Load())
	assert.Equal(t, int64(1), handled.Load(), "the remote handler did not see the replay")
}
