package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
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

// A ChannelTransport left at its defaults delivers a failing message as
// many times as the other transports do (DefaultMaxDeliveries) before it
// dead-letters it.
func TestChannelTransportDefaultsToDefaultMaxDeliveries(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	sub, err := tr.Subscriber("ev")
	require.NoError(t, err)
	out, err := sub.Subscribe(context.Background(), "ev")
	require.NoError(t, err)
	go func() {
		for m := range out {
			m.Nack()
		}
	}()
	pub, err := tr.Publisher("ev")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("ev", message.NewMessage("m-1", nil)))

	require.Eventually(t, func() bool { return tr.DeadLetterCount() > 0 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, cqrs.DefaultMaxDeliveries, tr.DeadLetters()[0].Deliveries)
}
