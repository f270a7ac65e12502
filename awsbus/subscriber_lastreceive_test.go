package awsbus_test

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
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

var errPaymentDown = errors.New("payment service down")

// handleUntil runs the handler on every delivery (ack on success, nack on
// error) until done holds, and returns the attempts per message id.
func handleUntil(t *testing.T, ch <-chan *message.Message, h message.HandlerFunc, done func() bool) map[string]int {
	t.Helper()
	attempts := map[string]int{}
	deadline := time.After(10 * time.Second)
	for !done() {
		select {
		case m := <-ch:
			attempts[m.Metadata.Get(sourceflow.MetaMessageID)]++
			if _, err := h(m); err != nil {
				m.Nack()
			} else {
				m.Ack()
			}
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("condition not reached; attempts %v", attempts)
		}
	}
	return attempts
}

// A handler that fails every time: on the last allowed receive the message
// is dead-lettered with the error the pipeline recorded, and the queue (on
// FIFO, the message's own group) keeps flowing.
func TestSubscriberLastReceiveDeadLettersWithTheError(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, name, 3, awsbus.SubscriberConfig{})
			require.NoError(t, w.pub.Publish(name, command("bad", "e"), command("good", "e")))
			ch, err := w.sub.Subscribe(context.Background(), name)
			require.NoError(t, err)
			h := recordError(func(m *message.Message) ([]*message.Message, error) {
				if m.Metadata.Get(sourceflow.MetaMessageID) == "bad" {
					return nil, errPaymentDown
				}
				return nil, nil
			})

			attempts := handleUntil(t, ch, h, func() bool {
				return len(w.sqs.Messages(w.ep.DLQURL)) == 1 && len(w.sqs.Messages(w.ep.QueueURL)) == 0
			})

			assert.Equal(t, 3, attempts["bad"], "handled exactly maxReceiveCount times")
			assert.GreaterOrEqual(t, attempts["good"], 1)
			dead := w.sqs.Messages(w.ep.DLQURL)[0]
			assert.Equal(t, `{"id":"bad"}`, dead.Body)
			assert.Equal(t, "awsbus: failed on its last allowed receive (3 of 3): payment service down",
				dead.Attributes[sourceflow.MetaFailure])
			assert.Contains(t, dead.Attributes[sourceflow.MetaEnvelope], `"sf_id":"bad"`)
			require.NoError(t, w.pub.Publish(name, command("after", "e")))
			m := next(t, ch)
			assert.Equal(t, "after", m.Metadata.Get(sourceflow.MetaMessageID), "the queue keeps flowing")
			m.Ack()
		})
	}
}

// Without a known maxReceiveCount the subscriber only backs off, and the
// queue's redrive policy moves the message, as before.
func TestSubscriberWithoutMaxReceiveCountLeavesItToRedrive(t *testing.T) {
	w := newWire(t, "orders", 2, awsbus.SubscriberConfig{})
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{}, func(ep *topology.Endpoint) { ep.MaxReceiveCount = 0 })
	require.NoError(t, w.pub.Publish("orders", command("bad", "e")))
	sends := w.sqs.Calls("SendMessage")
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	fail := func(*message.Message) ([]*message.Message, error) { return nil, errPaymentDown }

	attempts := handleUntil(t, ch, recordError(fail), func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 1 })

	assert.Equal(t, 2, attempts["bad"])
	assert.Empty(t, w.sqs.Messages(w.ep.DLQURL)[0].Attributes[sourceflow.MetaFailure], "moved by the redrive policy")
	assert.Equal(t, sends, w.sqs.Calls("SendMessage"), "no copy by the subscriber")
}

// Through a cqrs.Service on the AWS transport: a command whose handler
// always fails lands in the dead-letter queue with the handler's error.
func TestTransport_FailingCommandIsDeadLetteredWithTheError(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{MaxReceiveCount: 2, ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders.fifo"},
		CloseTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[restartOrder](svc, "orders.CreateOrder", "orders.fifo"))
	var runs atomic.Int32
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[restartState](svc, "order"),
		func(context.Context, *restartState, restartOrder, cqrs.Envelope) ([]any, error) {
			runs.Add(1)
			return nil, errPaymentDown
		}))
	require.NoError(t, svc.Start(context.Background()))

	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", restartOrder{ID: "o-1"})
	require.NoError(t, err)

	dlq := tr.Endpoints()["orders.fifo"].DLQURL
	require.Eventually(t, func() bool { return len(sq.Messages(dlq)) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, sq.Messages(dlq)[0].Attributes[sourceflow.MetaFailure], "(2 of 2)")
	assert.Contains(t, sq.Messages(dlq)[0].Attributes[sourceflow.MetaFailure], errPaymentDown.Error())
	assert.Equal(t, int32(2), runs.Load(), "handled maxReceiveCount times")
}

// recordError records a failed handler's error on the message the way cqrs
// does (sourceflow.MetaLastError), for tests that drive the subscriber
// without a cqrs.Service.
func recordError(h message.HandlerFunc) message.HandlerFunc {
	return func(m *message.Message) ([]*message.Message, error) {
		out, err := h(m)
		if err != nil && !sourceflow.IsPermanent(err) {
			m.Metadata.Set(sourceflow.MetaLastError, err.Error())
		}
		return out, err
	}
}
