package outbox_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// OrderPlaced is the event the saga of TestSagaStateAndItsEventsCommitTogether raises.
type OrderPlaced struct {
	OrderID string `json:"order_id"`
}

// publishGate fails the first publish of an event and holds the second
// until released, telling the test when it is held.
type publishGate struct {
	calls   atomic.Int32
	held    chan struct{}
	release chan struct{}
}

func (g *publishGate) decorate(pub message.Publisher) (message.Publisher, error) {
	return gatedPublisher{Publisher: pub, g: g}, nil
}

type gatedPublisher struct {
	message.Publisher
	g *publishGate
}

func (p gatedPublisher) Publish(topic string, msgs ...*message.Message) error {
	if msgs[0].Metadata.Get(sourceflow.MetaType) == "outboxtest.OrderPlaced" {
		switch p.g.calls.Add(1) {
		case 1:
			return errors.New("event publish refused")
		case 2:
			close(p.g.held)
			<-p.g.release
		}
	}
	return p.Publisher.Publish(topic, msgs...)
}

// With SQL stores and the outbox, a saga's new state and the event it
// raises commit in one transaction: while the redelivered command's event
// is being written, the state of the failed first attempt is not stored
// (it rolled back with the refused event), and once released the state and
// the event arrive together.
func TestSagaStateAndItsEventsCommitTogether(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obs")
		d.dropOutbox(t, db, topic)
		inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, RedeliveryDelay: time.Millisecond})
		require.NoError(t, err)
		box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic})
		require.NoError(t, err)
		store, _ := newStore(t, d, db)
		gate := &publishGate{held: make(chan struct{}), release: make(chan struct{})}
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: box, Listen: []string{ordersDest, "outbox-order-events"},
			CommandStore: store.Commands(), EntityStore: store.Entities(), PublisherDecorators: []message.PublisherDecorator{gate.decorate}})
		require.NoError(t, err)
		var placed atomic.Int32
		orders := cqrs.NewSaga[order](svc, "order")
		require.NoError(t, errors.Join(
			cqrs.RegisterCommand[PlaceOrder](svc, "outboxtest.PlaceOrder", ordersDest),
			cqrs.RegisterEvent[OrderPlaced](svc, "outboxtest.OrderPlaced", "outbox-order-events"),
			cqrs.Handle(orders, func(_ context.Context, o *order, c PlaceOrder, _ cqrs.Envelope) ([]any, error) {
				o.Placed = true
				return []any{OrderPlaced(c)}, nil
			}),
			cqrs.React(cqrs.NewAggregate(svc, "order"), func(context.Context, *cqrs.Aggregate, OrderPlaced, cqrs.Envelope) error {
				placed.Add(1)
				return nil
			}),
		))
		require.NoError(t, svc.Start(context.Background()))
		t.Cleanup(func() {
			assert.NoError(t, svc.Close())
			assert.NoError(t, box.Close())
		})

		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", PlaceOrder{OrderID: "o-1"})
		require.NoError(t, err)
		select {
		case <-gate.held:
		case <-time.After(waitFor):
			t.Fatal("the redelivered command never raised its event again")
		}
		_, found, err := orders.Load(context.Background(), "o-1")
		require.NoError(t, err)
		assert.False(t, found, "the state of the attempt whose event was refused rolled back with it")
		close(gate.release)

		require.Eventually(t, func() bool { return placed.Load() >= 1 }, waitFor, 10*time.Millisecond, "the event is forwarded and handled")
		state, found, err := orders.Load(context.Background(), "o-1")
		require.NoError(t, err)
		assert.True(t, found && state.Placed, "the state committed with its event")
	})
}
