package cqrs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// ring subscribes a handler to each of dests on tr, which passes the
// message it handles on to the next destination, round the ring, with
// its own context, until it passed hops of them; it returns what was
// handled, as "destination:hop", and the errors of the publishes.
func ring(t *testing.T, tr *cqrs.ChannelTransport, hops int, dests ...string) (handled, errs *recorder[string]) {
	t.Helper()
	handled, errs = &recorder[string]{}, &recorder[string]{}
	for i, dest := range dests {
		next := dests[(i+1)%len(dests)]
		sub, err := tr.Subscriber(dest)
		require.NoError(t, err)
		out, err := sub.Subscribe(context.Background(), dest)
		require.NoError(t, err)
		t.Cleanup(func() { _ = sub.Close() })
		pub, err := tr.Publisher(next)
		require.NoError(t, err)
		go func() {
			for m := range out {
				hop, _ := strconv.Atoi(m.Metadata.Get("hop"))
				handled.add(dest + ":" + strconv.Itoa(hop))
				if hop < hops {
					if err := pub.Publish(next, hopMessage(m.Context(), hop+1)); err != nil {
						errs.add(err.Error())
					}
				}
				m.Ack()
			}
		}()
	}
	return handled, errs
}

// hopMessage is a message at hop, published with ctx.
func hopMessage(ctx context.Context, hop int) *message.Message {
	m := message.NewMessage("m-"+strconv.Itoa(hop), nil)
	m.Metadata.Set("hop", strconv.Itoa(hop))
	m.SetContext(ctx)
	return m
}

// On the synchronous ChannelTransport a handler that publishes, through
// the handlers of what it publishes, back to its own destination does not
// wait on itself, however long the cycle: the publish to a destination
// whose delivery waits on it is handed over, so the first publish returns
// and the loop goes on, in order, one cycle at a time.
func TestChannelSynchronousCycleIsHandedOver(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	handled, errs := ring(t, tr, 9, "a", "b", "c")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pub, err := tr.Publisher("a")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("a", hopMessage(ctx, 0)), "the cycle waited on itself")
	first := handled.all()
	require.GreaterOrEqual(t, len(first), 3, "the first cycle is handled before Publish returns")
	assert.Equal(t, []string{"a:0", "b:1", "c:2"}, first[:3])
	eventually(t, func() bool { return len(handled.all()) == 10 }, "the cycle goes on behind the publish")
	assert.Equal(t, []string{"a:0", "b:1", "c:2", "a:3", "b:4", "c:5", "a:6", "b:7", "c:8", "a:9"}, handled.all())
	assert.Empty(t, errs.all())
	assert.Empty(t, tr.DeadLetters())
}

// A chain that does not come back to a destination it is delivering to
// is handled whole before the first publish returns.
func TestChannelSynchronousChainWithoutCycleCompletesBeforePublishReturns(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	handled, errs := ring(t, tr, 3, "a", "b", "c", "d")
	pub, err := tr.Publisher("a")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("a", hopMessage(context.Background(), 0)))
	assert.Equal(t, []string{"a:0", "b:1", "c:2", "d:3"}, handled.all())
	assert.Empty(t, errs.all())
}
