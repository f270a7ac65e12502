package cqrstest_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// asyncTransport is an asynchronous ChannelTransport, closed with the test.
func asyncTransport(t *testing.T) *cqrs.ChannelTransport {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// gochannelTransport is a PubSubTransport over a gochannel Pub/Sub, for
// one service (gochannel is its one consumer group), closed with the test.
func gochannelTransport(t *testing.T) *cqrs.PubSubTransport {
	gc := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = gc.Close() })
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:    gc,
		Subscriber:   func(string, string) (message.Subscriber, error) { return gc, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}
