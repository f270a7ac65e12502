package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// txIDKey carries the id of a transaction a test store began.
type txIDKey struct{}

func txID(ctx context.Context) int64 {
	id, _ := ctx.Value(txIDKey{}).(int64)
	return id
}

// txBeginner begins numbered transactions: WithinTx joins the one ctx
// carries or begins the next.
type txBeginner struct{ n *atomic.Int64 }

func (b txBeginner) WithinTx(ctx context.Context, fn func(context.Context) error) error {
	if txID(ctx) != 0 {
		return fn(ctx)
	}
	return fn(context.WithValue(ctx, txIDKey{}, b.n.Add(1)))
}

func (txBeginner) JoinsTransaction(ctx context.Context) bool { return txID(ctx) != 0 }

// txDocs and txCommands are memory stores that record the transaction of
// each write.
type txDocs struct {
	cqrs.DocumentStore
	txBeginner
	saves *recorder[int64]
}

func (s txDocs) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	s.saves.add(txID(ctx))
	return s.DocumentStore.Save(ctx, kind, id, data, version)
}

type txCommands struct {
	*cqrs.MemoryCommandStore
	txBeginner
	appends *recorder[int64]
}

func (s txCommands) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	s.appends.add(txID(ctx))
	return s.MemoryCommandStore.Append(ctx, cmd)
}

// txOutbox is a ChannelTransport that records the transaction each
// published message's context carries, by type; outbox says whether it
// declares itself an OutboxTransport.
type txOutbox struct {
	*cqrs.ChannelTransport
	outbox    bool
	published *recorder[[2]any]
}

func (o txOutbox) PublishesInTransaction() bool { return o.outbox }

func (o txOutbox) Publisher(dest string) (message.Publisher, error) {
	p, err := o.ChannelTransport.Publisher(dest)
	return txPublisher{Publisher: p, published: o.published}, err
}

type txPublisher struct {
	message.Publisher
	published *recorder[[2]any]
}

func (p txPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		p.published.add([2]any{m.Metadata.Get(sourceflow.MetaType), txID(m.Context())})
	}
	return p.Publisher.Publish(topic, msgs...)
}

func TestOutboxTransportWritesStateAndSendsInOneTransaction(t *testing.T) {
	for _, outbox := range []bool{true, false} {
		t.Run(map[bool]string{true: "outbox", false: "plain transport"}[outbox], func(t *testing.T) {
			channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = channel.Close() })
			n := &atomic.Int64{}
			var saves, appends recorder[int64]
			commands := txCommands{MemoryCommandStore: cqrs.NewMemoryCommandStore(), txBeginner: txBeginner{n}, appends: &appends}
			var published recorder[[2]any]
			app := newOrderApp(t, cqrs.ServiceConfig{
				Transport:    txOutbox{ChannelTransport: channel, outbox: outbox, published: &published},
				EntityStore:  txDocs{DocumentStore: cqrs.NewMemoryStore(), txBeginner: txBeginner{n}, saves: &saves},
				CommandStore: commands,
			})
			app.start(t)
			_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
			require.NoError(t, err)
			eventually(t, func() bool {
				s, ok, err := app.view.Get(context.Background(), "o-1")
				return err == nil && ok && s.Paid
			}, "the order flow completes")

			byType := map[string]int64{}
			for _, p := range published.all() {
				byType[p[0].(string)] = p[1].(int64)
			}
			if !outbox {
				assert.Zero(t, byType["orders.OrderCreated"], "a plain transport publishes after the state is saved, outside a transaction")
				assert.Zero(t, byType["orders.CreateOrder"], "and after the command is stored")
				return
			}
			require.Len(t, saves.all(), 2, "two saga saves: CreateOrder and ProcessPayment")
			assert.NotZero(t, byType["orders.OrderCreated"])
			assert.Equal(t, saves.all()[0], byType["orders.OrderCreated"], "the saga's state and its event share one transaction")
			assert.Equal(t, saves.all()[1], byType["payments.PaymentProcessed"])
			require.Len(t, appends.all(), 2, "two commands stored: CreateOrder and ProcessPayment")
			assert.Equal(t, appends.all()[0], byType["orders.CreateOrder"], "a command is stored and written in one transaction")
			assert.Equal(t, appends.all()[1], byType["payments.ProcessPayment"])
		})
	}
}

func TestHybridTransportWithAnOutboxPublishesInTransaction(t *testing.T) {
	channel := newTransport(t)
	plain, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: channel})
	require.NoError(t, err)
	assert.False(t, plain.PublishesInTransaction())
	withOutbox, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: channel,
		Events: txOutbox{ChannelTransport: newTransport(t), outbox: true, published: &recorder[[2]any]{}}})
	require.NoError(t, err)
	assert.True(t, withOutbox.PublishesInTransaction(), "events go through an outbox")
}
