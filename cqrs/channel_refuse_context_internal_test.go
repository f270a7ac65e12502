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

// A message published as its subscription ends is refused and kept as a
// dead letter, without its publisher's context: the dead letter carries
// none of that context's values and none of its cancellation.
func TestChannelRefusedDeadLetterKeepsNoPublisherContext(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Routes:    []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: "cmds"}},
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	sub, _ := tr.Subscriber("cmds")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	require.NoError(t, tr.claim("cmds", 1)) // a publish under way, as publishCounted makes it
	cancel()
	require.Eventually(t, func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.ready["cmds"] == 0 && len(tr.idle["cmds"]) == 1
	}, 10*time.Second, time.Millisecond, "the subscription ended and waits for the publish under way")

	gone := errors.New("publisher gone")
	pctx, endPublisher := context.WithCancelCause(context.WithValue(context.Background(), publisherValueKey{}, "pinned"))
	endPublisher(gone)
	m := message.NewMessage("m-1", nil)
	m.SetContext(pctx)
	require.NoError(t, tr.publish("cmds", m)) // returns once the message was refused

	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, "m-1", dead[0].Message.UUID)
	assert.Equal(t, notDelivered, dead[0].Reason)
	dctx := dead[0].Message.Context()
	assert.Nil(t, dctx.Value(publisherValueKey{}), "the dead letter carries its publisher's context")
	assert.NotErrorIs(t, context.Cause(dctx), gone, "the dead letter carries its publisher's cancellation")
	require.NoError(t, sub.Close())
}
