package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// untilEndSubscriber delivers nothing and closes a subscription's channel
// only once its context ended, as Pub/Subs that poll do.
type untilEndSubscriber struct{}

func (untilEndSubscriber) Subscribe(ctx context.Context, _ string) (<-chan *message.Message, error) {
	out := make(chan *message.Message)
	go func() {
		<-ctx.Done()
		close(out)
	}()
	return out, nil
}

func (untilEndSubscriber) Close() error { return nil }

// A subscription made while its subscriber closes has ended by the time
// Close returns: no relay starts after Close, to run on until the
// subscription's context ends.
func TestPubSubSubscribeRacingCloseLeavesNothingRunning(t *testing.T) {
	rig := newPubSubRig(t)
	for range 5000 { // the race is narrow: many rounds meet it
		sub := handOverTransport(t, rig, untilEndSubscriber{}, cqrs.PubSubConfig{})
		requireSubscribeRacingCloseEnds(t, sub, "cmds")
	}
}

// On the ChannelTransport too, a subscription made while its subscriber
// closes has ended when Close returns, and leaves its command destination
// free for the next listener.
func TestChannelSubscribeRacingCloseLeavesNothingRunning(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Routes:    []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: "cmds"}},
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	for range 300 {
		sub, err := tr.Subscriber("cmds")
		require.NoError(t, err)
		requireSubscribeRacingCloseEnds(t, sub, "cmds")
	}
}

// requireSubscribeRacingCloseEnds subscribes to topic while sub closes and
// fails unless the subscription failed or its channel is closed once both
// returned.
func requireSubscribeRacingCloseEnds(t *testing.T, sub message.Subscriber, topic string) {
	t.Helper()
	start := make(chan struct{})
	subscribed := make(chan (<-chan *message.Message), 1)
	go func() {
		<-start
		out, err := sub.Subscribe(context.Background(), topic)
		assert.NotErrorIs(t, err, cqrs.ErrSecondListener, "the last subscription left its destination")
		subscribed <- out
	}()
	close(start)
	require.NoError(t, sub.Close())
	out := <-subscribed
	if out == nil { // given up as Close began
		return
	}
	select {
	case _, open := <-out:
		require.False(t, open, "the subscription delivered after Close")
	default:
		t.Fatal("a subscription made while its subscriber closed still runs after Close returned")
	}
}
