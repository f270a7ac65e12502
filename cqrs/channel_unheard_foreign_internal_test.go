package cqrs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// newUnheardPair returns a transport carrying the command destination "pay"
// and one carrying the event destination "ev", as a HybridTransport with a
// ChannelTransport for commands and another for events has, and the
// handler of "pay" on the first: handle has it handle a message and
// returns the handler's context, endPay ends its subscription.
func newUnheardPair(t *testing.T) (events *ChannelTransport, handle func(id string) context.Context, endPay func()) {
	t.Helper()
	cmds, err := NewChannelTransport(ChannelConfig{Async: true})
	require.NoError(t, err)
	events, err = NewChannelTransport(ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmds.Close(); _ = events.Close() })
	require.NoError(t, cmds.Bind(context.Background(), sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "svc.Pay", Kind: sourceflow.KindCommand, Destination: "pay"},
	}}))
	require.NoError(t, events.Bind(context.Background(), sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "svc.Paid", Kind: sourceflow.KindEvent, Destination: "ev"},
	}}))
	paySub, _ := cmds.Subscriber("pay")
	ctx, endPay := context.WithCancel(context.Background())
	t.Cleanup(endPay)
	out, err := paySub.Subscribe(ctx, "pay")
	require.NoError(t, err)
	t.Cleanup(func() { _ = paySub.Close() })
	return events, func(id string) context.Context { return handled(t, cmds, out, id) }, endPay
}

// loseLastSubscription subscribes to dest of tr and ends the subscription.
func loseLastSubscription(t *testing.T, tr *ChannelTransport, dest string) {
	t.Helper()
	sub, _ := tr.Subscriber(dest)
	ctx, end := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, dest)
	require.NoError(t, err)
	end()
	for range out { // the subscription ends
	}
	require.NoError(t, sub.Close())
}

// A handler of another transport is caught in a close only once its own
// subscription ended: losses count per transport, so a live one, whose
// message came after the event destination lost its last subscription,
// has what it raises there dropped, not dead-lettered.
func TestChannelUnheardEventOfAnotherTransportsHandlerIsKeptOnlyWhenDraining(t *testing.T) {
	events, handle, endPay := newUnheardPair(t)
	loseLastSubscription(t, events, "ev")
	live := handle("p1")
	raiseWith(t, events, live, "e1")
	assert.Empty(t, events.DeadLetters(), "a live handler's event")
	endPay() // the handler of p1 now drains
	raiseWith(t, events, live, "e2")
	var kept []string
	for _, dl := range events.DeadLetters() {
		kept = append(kept, dl.Message.UUID)
	}
	assert.Equal(t, []string{"e2"}, kept)
}
