package cqrstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type refundOrder struct{ Amount int64 }
type refund struct{ Amount int64 }

// TestHarnessReadsDeadLettersOfAPubSubTransport expects a harness on a
// PubSubTransport to show a permanent failure's dead letter and reason, as
// on its ChannelTransport, though Transport (a *cqrs.ChannelTransport) is
// nil there: one test asserts what was dead-lettered and why on the
// in-process transport and on the real one in CI.
func TestHarnessReadsDeadLettersOfAPubSubTransport(t *testing.T) {
	gc := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = gc.Close() })
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:    gc,
		Subscriber:   func(string, string) (message.Subscriber, error) { return gc, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true}, // one service: gochannel is its one group
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "refunds", Transport: tr, Listen: []string{"refunds"}})
	h.Must(cqrs.RegisterCommand[refundOrder](h.Service, "test.RefundOrder", "refunds"))
	h.Must(cqrs.Handle(cqrs.NewSaga[refund](h.Service, "refund"), func(context.Context, *refund, refundOrder, cqrs.Envelope) ([]any, error) {
		return nil, sourceflow.Permanent(errors.New("refund exceeds the order"))
	}))
	h.Start()
	_, err = cqrs.NewAggregate(h.Service, "refund").Send(context.Background(), "o1", refundOrder{Amount: 5})
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		dl, err := h.DeadLetters(context.Background())
		if !assert.NoError(c, err) || !assert.Len(c, dl, 1) {
			return
		}
		assert.Contains(c, dl[0].Reason, "refund exceeds the order")
	}, 10*time.Second, 10*time.Millisecond)
}
