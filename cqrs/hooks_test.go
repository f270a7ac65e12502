package cqrs_test

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
)

type tracePublisher struct {
	message.Publisher
	name string
	log  *recorder[string]
}

func (p tracePublisher) Publish(topic string, msgs ...*message.Message) error {
	p.log.add(p.name + ":" + msgs[0].Metadata.Get(sourceflow.MetaType))
	return p.Publisher.Publish(topic, msgs...)
}

func dispatchHook(name string, log *recorder[string]) message.PublisherDecorator {
	return func(pub message.Publisher) (message.Publisher, error) {
		return tracePublisher{Publisher: pub, name: name, log: log}, nil
	}
}

func subscribeHook(name string, log *recorder[string]) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			log.add(name + ":" + msg.Metadata.Get(sourceflow.MetaType))
			return h(msg)
		}
	}
}

func TestTheFourHooksRunWhereTheSeedRunsThem(t *testing.T) {
	var log recorder[string]
	app := newOrderApp(t, cqrs.ServiceConfig{
		PublisherDecorators: []message.PublisherDecorator{dispatchHook("pipeline", &log)},
		HandlerMiddleware:   []message.HandlerMiddleware{subscribeHook("pipeline-in", &log)},
		Hooks: cqrs.Hooks{
			CommandDispatch:  []message.PublisherDecorator{dispatchHook("cmd-out-1", &log), dispatchHook("cmd-out-2", &log)},
			EventDispatch:    []message.PublisherDecorator{dispatchHook("evt-out", &log)},
			CommandSubscribe: []message.HandlerMiddleware{subscribeHook("cmd-in", &log)},
			EventSubscribe:   []message.HandlerMiddleware{subscribeHook("evt-in", &log)},
		},
	})
	app.start(t)
	_, err := app.svc.EventQueue().Raise(context.Background(), "o-1", PaymentProcessed{OrderID: "o-1"})
	require.NoError(t, err)
	_, err = app.svc.CommandBus().Send(context.Background(), "o-2", ProcessPayment{})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"evt-out:payments.PaymentProcessed", "pipeline:payments.PaymentProcessed",
		"pipeline-in:payments.PaymentProcessed", "evt-in:payments.PaymentProcessed",
		"cmd-out-1:payments.ProcessPayment", "cmd-out-2:payments.ProcessPayment", "pipeline:payments.ProcessPayment",
		"pipeline-in:payments.ProcessPayment", "cmd-in:payments.ProcessPayment",
		// the saga raises PaymentProcessed while handling the command
		"evt-out:payments.PaymentProcessed", "pipeline:payments.PaymentProcessed",
		"pipeline-in:payments.PaymentProcessed", "evt-in:payments.PaymentProcessed",
	}, log.all(), "dispatch hooks run before the pipeline, subscribe hooks inside it; first registered is outermost")
}

type failingPublisher struct {
	message.Publisher
	failures *atomic.Int64
}

func (p failingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.failures.Add(-1) >= 0 {
		return errors.New("broker unavailable")
	}
	return p.Publisher.Publish(topic, msgs...)
}

func TestAFailureToRaiseIsReturnedAndTheRedeliveryDoesNotRunTheHandlerTwice(t *testing.T) {
	var failures atomic.Int64
	var errs recorder[error]
	app := newOrderApp(t, cqrs.ServiceConfig{Hooks: cqrs.Hooks{
		EventDispatch: []message.PublisherDecorator{func(pub message.Publisher) (message.Publisher, error) {
			return failingPublisher{Publisher: pub, failures: &failures}, nil
		}},
		CommandSubscribe: []message.HandlerMiddleware{errorCapture(&errs)},
	}})
	app.start(t)
	failures.Store(2)
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 9})
	require.NoError(t, err)

	got := errs.all()
	require.Len(t, got, 2, "the saga returned the raise failure twice")
	assert.Contains(t, got[0].Error(), "broker unavailable")
	order, _, err := app.orders.Load(context.Background(), "o-1")
	require.NoError(t, err)
	assert.Equal(t, 2, order.Commands, "CreateOrder applied once despite three deliveries, then ProcessPayment")
	summary, _, err := app.view.Get(context.Background(), "o-1")
	require.NoError(t, err)
	assert.Equal(t, Summary{Amount: 9, Paid: true, Events: 2}, summary, "the event was raised once it could be")
	assert.Empty(t, app.transport.DeadLetters())
}

func TestPublishedMessagesCarryTheirKindInTheirContext(t *testing.T) {
	var kinds recorder[string]
	app := newOrderApp(t, cqrs.ServiceConfig{PublisherDecorators: []message.PublisherDecorator{
		func(pub message.Publisher) (message.Publisher, error) {
			return kindSpy{Publisher: pub, kinds: &kinds}, nil
		},
	}})
	app.start(t)
	_, err := app.svc.CommandBus().Send(context.Background(), "o", ProcessPayment{})
	require.NoError(t, err)
	assert.Equal(t, []string{"payments.ProcessPayment=command", "payments.PaymentProcessed=event"}, kinds.all())
}

type kindSpy struct {
	message.Publisher
	kinds *recorder[string]
}

func (k kindSpy) Publish(topic string, msgs ...*message.Message) error {
	kind, _ := sourceflow.KindFromContext(msgs[0].Context())
	k.kinds.add(msgs[0].Metadata.Get(sourceflow.MetaType) + "=" + kind.String())
	return k.Publisher.Publish(topic, msgs...)
}

// Command A's event cannot be raised; command B for the same entity is
// applied meanwhile; A's redelivery re-raises A's event without running A's
// handler again on B's state.
func TestARedeliveredCommandIsNotReappliedAfterANewerOne(t *testing.T) {
	var blockA atomic.Bool
	blockA.Store(true)
	failA := func(pub message.Publisher) (message.Publisher, error) {
		return causeFilter{Publisher: pub, cause: "raw-a", block: &blockA}, nil
	}
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 1000, RedeliveryDelay: 5 * time.Millisecond, Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Hooks: cqrs.Hooks{EventDispatch: []message.PublisherDecorator{failA}}})
	app.start(t)
	ctx := context.Background()
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("orders", rawCommandID("raw-a", "orders.CreateOrder", "o-1", `{"amount":1}`)))
	eventually(t, func() bool { o, _, _ := app.orders.Load(ctx, "o-1"); return o.Commands == 1 }, "A applied, its event blocked")
	require.NoError(t, pub.Publish("orders", rawCommandID("raw-b", "orders.CreateOrder", "o-1", `{"amount":2}`)))
	eventually(t, func() bool { s, _, _ := app.view.Get(ctx, "o-1"); return s.Paid }, "B applied, raised, paid")
	blockA.Store(false)
	eventually(t, func() bool { s, _, _ := app.view.Get(ctx, "o-1"); return s.Amount == 3 }, "A's event raised at last")
	eventually(t, func() bool { o, _, _ := app.orders.Load(ctx, "o-1"); return o.Commands == 4 }, "A's ProcessPayment applied")

	o, _, err := app.orders.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, 2, o.Amount, "A's redelivery did not run A's handler on B's state")
	assert.Empty(t, tr.DeadLetters())
}

// causeFilter fails to publish the events caused by one message while block
// is set.
type causeFilter struct {
	message.Publisher
	cause string
	block *atomic.Bool
}

func (c causeFilter) Publish(topic string, msgs ...*message.Message) error {
	if c.block.Load() && msgs[0].Metadata.Get(sourceflow.MetaCausationID) == c.cause {
		return errors.New("broker unavailable for this one")
	}
	return c.Publisher.Publish(topic, msgs...)
}
