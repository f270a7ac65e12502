package cqrstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message dead-lettered again after the transport dropped its earlier
// dead letter past ChannelConfig.MaxDeadLetters ends its delivery:
// WaitIdle returns once it is dead-lettered again.
func TestWaitIdleEndsARedriveDeadLetteredAfterItsEarlierDeadLetterWasDropped(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, MaxDeadLetters: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	f := newBasketFlow(t, tr, func() error { return sourceflow.Permanent(errors.New("basket closed")) })
	a := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-a", EntityID: "b1", Sequence: 1}
	b := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-b", EntityID: "b2", Sequence: 1}
	for _, env := range []cqrs.Envelope{a, b, a} { // b's dead letter pushes a's out; a is dead-lettered again
		require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := f.h.WaitIdle(ctx)
		cancel()
		require.NoError(t, err, "delivery of %s", env.MessageID)
	}
}
