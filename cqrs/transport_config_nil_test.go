package cqrs_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A transport's logger or Pub/Sub variable declared but never assigned is
// refused by its constructor, naming the field, instead of panicking on the
// first dead letter or publish.
func TestTransportConfigsRefuseTypedNils(t *testing.T) {
	var logger *watermill.StdLoggerAdapter
	_, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: logger})
	assert.ErrorContains(t, err, "cqrs: ChannelConfig.Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")

	var pubSub *gochannel.GoChannel
	_, err = cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: pubSub, Subscriber: groupOf(pubSub), Logger: logger})
	require.Error(t, err)
	assert.ErrorContains(t, err, "cqrs: PubSubConfig.Publisher: nil *gochannel.GoChannel, must be set")
	assert.ErrorContains(t, err, "cqrs: PubSubConfig.Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")

	gc := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	t.Cleanup(func() { _ = gc.Close() })
	_, err = cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: gc, Subscriber: groupOf(gc)})
	require.NoError(t, err, "a set Pub/Sub and an unset logger are valid")
	_, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
}

// groupOf is a PubSubConfig.Subscriber that hands out s itself.
func groupOf(s message.Subscriber) func(topic, group string) (message.Subscriber, error) {
	return func(string, string) (message.Subscriber, error) { return s, nil }
}
