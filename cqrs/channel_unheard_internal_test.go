package cqrs

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// handled publishes a message to "pay" and returns the context its handler
// runs in, acking it.
func handled(t *testing.T, tr *ChannelTransport, out <-chan *message.Message, id string) context.Context {
	t.Helper()
	pub, _ := tr.Publisher("pay")
	require.NoError(t, pub.Publish("pay", message.NewMessage(id, nil)))
	select {
	case m := <-out:
		require.Equal(t, id, m.UUID)
		m.Ack()
		return m.Context()
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was not delivered", id)
		return nil
	}
}

// raiseWith publishes the event id to "ev" with ctx, as a handler raising
// it with its context does.
func raiseWith(t *testing.T, tr *ChannelTransport, ctx context.Context, id string) {
	t.Helper()
	m := message.NewMessage(id, nil)
	m.SetContext(ctx)
	pub, _ := tr.Publisher("ev")
	require.NoError(t, pub.Publish("ev", m))
}

// An event published to a destination that lost its last subscription is
// dead-lettered only when a handler caught in the close raised it: one
// whose message was handed on before the destination lost it (its service
// may not have ended its own subscription yet), or one whose subscription
// ended. A handler whose message came later, on a live subscription, and a
// publisher outside any handler, meet pub/sub's silent drop.
func TestChannelUnheardEventIsDeadLetteredOnlyFromAHandlerCaughtInTheClose(t *testing.T) {
	pay := newPayRig(t, ChannelConfig{Async: true})
	tr, payOut, endPay, paySub := pay.tr, pay.out, pay.endSub, pay.sub
	evSub, _ := tr.Subscriber("ev")
	evCtx, endEv := context.WithCancel(context.Background())
	evOut, err := evSub.Subscribe(evCtx, "ev")
	require.NoError(t, err)

	before := handled(t, tr, payOut, "p1")
	endEv()
	for range evOut { // the subscription of "ev" ends
	}
	raiseWith(t, tr, before, "e1")
	after := handled(t, tr, payOut, "p2")
	raiseWith(t, tr, after, "e2")
	raiseWith(t, tr, context.Background(), "e3")
	endPay() // the handler of p2 now drains
	raiseWith(t, tr, after, "e4")

	var kept []string
	for _, dl := range tr.DeadLetters() {
		assert.Equal(t, "ev", dl.Destination)
		assert.Equal(t, errUnheard.Error(), dl.Reason)
		kept = append(kept, dl.Message.UUID)
	}
	assert.Equal(t, []string{"e1", "e4"}, kept)
	require.NoError(t, paySub.Close())
	require.NoError(t, evSub.Close())
}

// payRig is a transport bound with command destination "pay" and event
// destination "ev", with a subscription of "pay".
type payRig struct {
	tr     *ChannelTransport
	sub    message.Subscriber
	out    <-chan *message.Message
	endSub context.CancelFunc // ends the subscription's context
}

// newPayRig returns a payRig on a new transport of cfg.
func newPayRig(t *testing.T, cfg ChannelConfig) payRig {
	t.Helper()
	tr, err := NewChannelTransport(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "svc.Pay", Kind: sourceflow.KindCommand, Destination: "pay"},
		{Type: "svc.Paid", Kind: sourceflow.KindEvent, Destination: "ev"},
	}}))
	sub, _ := tr.Subscriber("pay")
	ctx, end := context.WithCancel(context.Background())
	t.Cleanup(end)
	out, err := sub.Subscribe(ctx, "pay")
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return payRig{tr: tr, sub: sub, out: out, endSub: end}
}
