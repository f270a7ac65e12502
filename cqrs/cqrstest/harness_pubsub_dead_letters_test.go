package cqrstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
// refundRejected runs, as test tb, a harness on tr (its own when nil) whose
// refund saga fails every RefundOrder permanently, and sends one.
func refundRejected(t *testing.T, tb testing.TB, tr cqrs.Transport) *cqrstest.Harness {
	h := cqrstest.New(tb, cqrs.ServiceConfig{Name: "refunds", Transport: tr, Listen: []string{"refunds"}})
	h.Must(cqrs.RegisterCommand[refundOrder](h.Service, "test.RefundOrder", "refunds"))
	h.Must(cqrs.Handle(cqrs.NewSaga[refund](h.Service, "refund"), func(context.Context, *refund, refundOrder, cqrs.Envelope) ([]any, error) {
		return nil, sourceflow.Permanent(errors.New("refund exceeds the order"))
	}))
	h.Start()
	_, err := cqrs.NewAggregate(h.Service, "refund").Send(context.Background(), "o1", refundOrder{Amount: 5})
	require.NoError(t, err)
	return h
}

func TestHarnessReadsDeadLettersOfAPubSubTransport(t *testing.T) {
	h := refundRejected(t, t, gochannelTransport(t))

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		dl, err := h.DeadLetters(context.Background())
		if !assert.NoError(c, err) || !assert.Len(c, dl, 1) {
			return
		}
		assert.Contains(c, dl[0].Reason, "refund exceeds the order")
	}, 10*time.Second, 10*time.Millisecond)
}
