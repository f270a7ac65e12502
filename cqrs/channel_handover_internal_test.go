package cqrs

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A hand-over to a command destination whose listener left before its turn
// is dead-lettered with ErrNoListener, not published into a gochannel topic
// nobody reads, which would drop it.
func TestChannelHandOverToACommandDestinationNobodyListensToIsDeadLettered(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "loop", Routes: []sourceflow.Route{
		{Type: "loop.Again", Kind: sourceflow.KindCommand, Destination: "loop"},
	}}))
	m := message.NewMessage("m-1", nil)

	require.NoError(t, tr.handOver("loop", []*message.Message{m}))
	require.NoError(t, tr.Close()) // waits for the hand-over

	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, "m-1", dead[0].Message.UUID)
	assert.Contains(t, dead[0].Reason, ErrNoListener.Error())
}
