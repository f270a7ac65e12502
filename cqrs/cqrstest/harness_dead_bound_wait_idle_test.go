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
)

// closedBaskets returns an asynchronous transport that keeps one dead
// letter, and a basket flow on it whose command handler always fails
// permanently.
func closedBaskets(t *testing.T) (*cqrs.ChannelTransport, basketFlow) {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, MaxDeadLetters: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr, newBasketFlow(t, tr, func() error { return sourceflow.Permanent(errors.New("basket closed")) })
}

func placeBasketEnv(id string) cqrs.Envelope {
	return cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-" + id, EntityID: id, Sequence: 1}
}

func waitIdleWithin(t *testing.T, f basketFlow, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, f.h.WaitIdle(ctx), what)
}

// A message dead-lettered again after the transport dropped its earlier
// dead letter past ChannelConfig.MaxDeadLetters ends its delivery:
// WaitIdle returns once it is dead-lettered again.
func TestWaitIdleEndsARedriveDeadLetteredAfterItsEarlierDeadLetterWasDropped(t *testing.T) {
	_, f := closedBaskets(t)
	for _, env := range []cqrs.Envelope{placeBasketEnv("a"), placeBasketEnv("b"), placeBasketEnv("a")} { // b's dead letter pushes a's out; a is dead-lettered again
		require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
		waitIdleWithin(t, f, "delivery of "+env.MessageID)
	}
}

// A message dead-lettered and pushed out of the transport's bounded list
// by a later dead letter before WaitIdle looks ends its delivery all the
// same: WaitIdle hears of each dead letter from the transport rather than
// reading the list.
func TestWaitIdleEndsADeliveryWhoseDeadLetterWasPushedOutBeforeItLooked(t *testing.T) {
	tr, f := closedBaskets(t)
	for _, env := range []cqrs.Envelope{placeBasketEnv("a"), placeBasketEnv("b")} {
		require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 2, tr.DeadLetterCount())
	}, 5*time.Second, time.Millisecond, "both dead-lettered, the first pushed out of the list")
	waitIdleWithin(t, f, "both deliveries")
}
