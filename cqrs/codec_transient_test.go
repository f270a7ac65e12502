package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// flakyCodec is a Codec that fails once to encode a ProcessPayment, as one
// that fetches a key or a schema over the network may: a transient failure.
type flakyCodec struct {
	cqrs.JSONCodec
	failed *atomic.Bool
}

func (c flakyCodec) Marshal(v any) ([]byte, error) {
	if _, ok := v.(ProcessPayment); ok && c.failed.CompareAndSwap(false, true) {
		return nil, errors.New("key service unavailable")
	}
	return c.JSONCodec.Marshal(v)
}

// A Send from a handler that fails because a custom Codec failed is not
// marked permanent: the codec's error may be transient, so the message is
// redelivered and its handler sends the command on a later delivery. Only
// the codec knows; one that fails for good returns sourceflow.Permanent.
func TestASendFailingInACustomCodecIsRedelivered(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders", "order-events", "payments"},
		Codec: flakyCodec{failed: &atomic.Bool{}}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	agg := cqrs.NewAggregate(svc, "order")
	var sent atomic.Int64
	require.NoError(t, errors.Join(
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			return []any{OrderCreated{OrderID: "o-1"}}, nil
		}),
		cqrs.Handle(cqrs.NewSaga[Order](svc, "payment"), func(context.Context, *Order, ProcessPayment, cqrs.Envelope) ([]any, error) {
			return nil, nil
		}),
		cqrs.React(agg, func(ctx context.Context, a *cqrs.Aggregate, _ OrderCreated, _ cqrs.Envelope) error {
			if _, err := a.Send(ctx, "o-1", ProcessPayment{Amount: 1}); err != nil {
				return err
			}
			sent.Add(1)
			return nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, svc.Close()) })

	_, err = agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
	eventually(t, func() bool { return sent.Load() > 0 || tr.DeadLetterCount() > 0 }, "the reaction sent its command, or its event was dead-lettered")
	require.Zero(t, tr.DeadLetterCount(), "a codec's transient failure is not dead-lettered at once: %v", tr.DeadLetters())
	require.EqualValues(t, 1, sent.Load())
}
