package cqrs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

type publisherValueKey struct{}

// newCmdsTransport returns a synchronous ChannelTransport with "cmds" bound
// as a command destination.
func newCmdsTransport(t *testing.T) *ChannelTransport {
	t.Helper()
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Routes:    []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: "cmds"}},
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	return tr
}

// subscribeCmds returns a transport from newCmdsTransport, a subscriber of
// "cmds" with its messages, and the cancel that ends that subscription.
func subscribeCmds(t *testing.T) (*ChannelTransport, message.Subscriber, <-chan *message.Message, context.CancelFunc) {
	t.Helper()
	tr := newCmdsTransport(t)
	sub, err := tr.Subscriber("cmds")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	msgs, err := sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	return tr, sub, msgs, cancel
}

// onlyDeadLetter returns the context of tr's only dead letter, after
// checking it is the message uuid, kept for reason.
func onlyDeadLetter(t *testing.T, tr *ChannelTransport, uuid, reason string) context.Context {
	t.Helper()
	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, uuid, dead[0].Message.UUID)
	assert.Equal(t, reason, dead[0].Reason)
	return dead[0].Message.Context()
}

// waitLocked waits until cond, called with tr.mu held, holds.
func waitLocked(t *testing.T, tr *ChannelTransport, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return cond()
	}, 10*time.Second, time.Millisecond, msg)
}

// A message published as its subscription ends is refused and kept as a
// dead letter, without its publisher's context: the dead letter carries
// none of that context's values and none of its cancellation.
func TestChannelRefusedDeadLetterKeepsNoPublisherContext(t *testing.T) {
	tr, sub, _, cancel := subscribeCmds(t)
	require.NoError(t, tr.claim("cmds", 1)) // a publish under way, as publishCounted makes it
	cancel()
	waitLocked(t, tr, func() bool { return tr.ready["cmds"] == 0 && len(tr.idle["cmds"]) == 1 },
		"the subscription ended and waits for the publish under way")

	gone := errors.New("publisher gone")
	pctx, endPublisher := context.WithCancelCause(context.WithValue(context.Background(), publisherValueKey{}, "pinned"))
	endPublisher(gone)
	m := message.NewMessage("m-1", nil)
	m.SetContext(pctx)
	require.NoError(t, tr.publish("cmds", m)) // returns once the message was refused

	dctx := onlyDeadLetter(t, tr, "m-1", notDelivered)
	assert.Nil(t, dctx.Value(publisherValueKey{}), "the dead letter carries its publisher's context")
	assert.NotErrorIs(t, context.Cause(dctx), gone, "the dead letter carries its publisher's cancellation")
	require.NoError(t, sub.Close())
}

// A synchronous publish made by a handler holding an entity's lock (a
// locking chain) whose message is refused as its subscription ends returns
// once the message was dead-lettered, without error: dropping the
// publisher's context from the dead letter does not keep the publisher
// waiting, and the dead letter carries none of the chain either.
func TestChannelRefusedMessageOfALockingChainReleasesItsPublisher(t *testing.T) {
	tr, sub, msgs, cancel := subscribeCmds(t)
	pub, _ := tr.Publisher("cmds")

	// m-1 is in its handler, so gochannel holds m-2 back behind it.
	first := make(chan error, 1)
	go func() { first <- pub.Publish("cmds", message.NewMessage("m-1", nil)) }()
	inHandler := <-msgs
	var locks keyedMutex[string]
	lctx, lock := locks.lockIn(context.WithValue(context.Background(), publisherValueKey{}, "pinned"), "order-1")
	defer locks.unlock("order-1", lock)
	m := message.NewMessage("m-2", nil)
	m.SetContext(lctx)
	second := make(chan error, 1)
	go func() { second <- pub.Publish("cmds", m) }()
	waitLocked(t, tr, func() bool { return tr.pending["cmds"] == 1 }, "m-2 was claimed")

	cancel() // the subscription ends with m-2 under way
	waitLocked(t, tr, func() bool { return tr.ready["cmds"] == 0 }, "the subscription stopped taking publishes")
	inHandler.Ack()
	for name, done := range map[string]chan error{"m-1": first, "m-2": second} {
		select {
		case err := <-done:
			require.NoError(t, err, name)
		case <-time.After(10 * time.Second):
			t.Fatalf("the publish of %s never returned", name)
		}
	}

	dctx := onlyDeadLetter(t, tr, "m-2", notDelivered)
	assert.Nil(t, dctx.Value(publisherValueKey{}), "the dead letter carries its publisher's context")
	assert.Nil(t, chainOf(dctx), "the dead letter carries its publisher's chain")
	assert.Nil(t, dctx.Value(deliveryKey{}), "the dead letter carries its publisher's delivery")
	assert.NoError(t, dctx.Err(), "the dead letter's context ended")
	require.NoError(t, sub.Close())
}

// A message of a locking chain whose handler fails for good is
// dead-lettered, like a refused one, with none of its publisher's
// synchronous chain and a context that has not ended: context.Background.
func TestChannelFailedDeadLetterKeepsNoPublisherChain(t *testing.T) {
	tr := newCmdsTransport(t)
	sub := consume(t, tr, "cmds", func(m *message.Message) {
		m.Metadata.Set(sourceflow.MetaFailure, "cqrs: refused for good")
		m.Nack()
	})
	pub, _ := tr.Publisher("cmds")
	var locks keyedMutex[string]
	lctx, lock := locks.lockIn(context.Background(), "order-1")
	defer locks.unlock("order-1", lock)
	m := message.NewMessage("m-1", nil)
	m.SetContext(lctx)
	require.NoError(t, pub.Publish("cmds", m)) // returns once the message was dead-lettered

	dctx := onlyDeadLetter(t, tr, "m-1", "cqrs: refused for good")
	assert.Nil(t, chainOf(dctx), "the dead letter carries its publisher's chain")
	assert.NoError(t, dctx.Err(), "the dead letter's context ended")
	require.NoError(t, sub.Close())
}
