package cqrs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A ChannelTransport closed while a subscription waits for a publish under
// way to arrive (one gochannel then drops) ends that subscription, and
// closing again or subscribing afterwards returns at once.
func TestChannelCloseEndsASubscriptionWaitingForAPublishUnderWay(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Routes:    []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: "cmds"}},
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	sub, _ := tr.Subscriber("cmds")
	ctx, cancel := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	require.NoError(t, tr.claim("cmds", 1)) // published; gochannel will drop it
	cancel()
	require.Eventually(t, func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.ready["cmds"] == 0 && len(tr.idle["cmds"]) == 1
	}, 10*time.Second, time.Millisecond, "the subscription waits for the publish under way")

	require.NoError(t, tr.Close())
	require.Eventually(t, func() bool {
		select {
		case _, open := <-out:
			return !open
		default:
			return false
		}
	}, 10*time.Second, time.Millisecond, "the subscription ended with the transport")
	require.NoError(t, sub.Close())
	require.NoError(t, tr.Close())
	again, _ := tr.Subscriber("cmds")
	_, err = again.Subscribe(context.Background(), "cmds")
	require.ErrorIs(t, err, errChannelClosed)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	assert.Zero(t, tr.listeners["cmds"], "the ended subscription left its destination")
}
