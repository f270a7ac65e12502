package cqrs_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Validate checks a configuration as its constructor takes it: a field
// left zero stands for its documented default, so a caller that validates
// its configuration before building the transport is not told that a
// default is invalid.
func TestChannelConfigValidateTakesZeroFieldsForTheirDefaults(t *testing.T) {
	require.NoError(t, cqrs.ChannelConfig{}.Validate(), "the zero config, which NewChannelTransport accepts")
	_, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)

	err = cqrs.ChannelConfig{MaxDeliveries: -1, MaxDeadLetters: -1}.Validate()
	assert.ErrorContains(t, err, "MaxDeliveries: -1")
	assert.ErrorContains(t, err, "MaxDeadLetters: -1")
}

func TestPubSubConfigValidateTakesZeroFieldsForTheirDefaults(t *testing.T) {
	pubSub := gochannel.NewGoChannel(gochannel.Config{}, nil)
	t.Cleanup(func() { _ = pubSub.Close() })
	cfg := cqrs.PubSubConfig{
		Publisher:  pubSub,
		Subscriber: func(string, string) (message.Subscriber, error) { return pubSub, nil },
	}
	require.NoError(t, cfg.Validate(), "MaxDeliveries 0 stands for DefaultMaxDeliveries")
	_, err := cqrs.NewPubSubTransport(cfg)
	require.NoError(t, err)
}
