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

// A message dead-lettered and pushed out of the transport's bounded list
// (ChannelConfig.MaxDeadLetters) by a later dead letter before WaitIdle
// looks ends its delivery all the same: WaitIdle hears of each dead
// letter from the transport rather than reading the list.
func TestWaitIdleEndsADeliveryWhoseDeadLetterWasPushedOutBeforeItLooked(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, MaxDeadLetters: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	f := newBasketFlow(t, tr, func() error { return sourceflow.Permanent(errors.New("basket closed")) })
	for _, id := range []string{"m-a", "m-b"} {
		env := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: id, EntityID: id, Sequence: 1}
		require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 2, tr.DeadLetterCount())
	}, 5*time.Second, time.Millisecond, "both dead-lettered, the first pushed out of the list")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, f.h.WaitIdle(ctx))
}
