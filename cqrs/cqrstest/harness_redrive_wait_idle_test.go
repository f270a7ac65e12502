package cqrstest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A dead letter delivered again with its message id (a redrive, which
// Deliver's documentation offers) is pending until that delivery is
// handled: WaitIdle does not take the earlier dead letter of the same id
// for its end.
func TestWaitIdleWaitsForARedrivenDeadLetter(t *testing.T) {
	var runs atomic.Int32
	release := make(chan struct{})
	f := newBasketFlow(t, asyncTransport(t), func() error {
		if runs.Add(1) == 1 {
			return sourceflow.Permanent(errors.New("basket closed"))
		}
		<-release
		return nil
	})
	env := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-redrive", EntityID: "b1", Sequence: 1}
	require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	f.waitIdle(t)

	waitsForRedrive(t, f, env, release)
}

// A harness on a transport that already kept a dead letter (an earlier
// service's) does not take it for the end of its own delivery of that
// message id.
func TestWaitIdleIgnoresDeadLettersKeptBeforeTheHarness(t *testing.T) {
	tr := asyncTransport(t)
	first := newBasketFlow(t, tr, func() error { return sourceflow.Permanent(errors.New("basket closed")) })
	env := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-earlier", EntityID: "b1", Sequence: 1}
	require.NoError(t, first.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	first.waitIdle(t)
	require.NoError(t, first.h.Service.Close())

	release := make(chan struct{})
	second := newBasketFlow(t, tr, func() error {
		<-release
		return nil
	})
	waitsForRedrive(t, second, env, release)
}

// waitsForRedrive delivers env again to f, whose handler blocks until
// release is closed, and checks that WaitIdle waits for that delivery.
func waitsForRedrive(t *testing.T, f basketFlow, env cqrs.Envelope, release chan struct{}) {
	t.Helper()
	require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := f.h.WaitIdle(ctx)
	close(release)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the message delivered again is still being handled")
	f.waitIdle(t)
	got, found, err := f.view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(5), got.Amount)
}
