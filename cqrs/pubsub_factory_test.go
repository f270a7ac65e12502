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

// A PubSubConfig.Subscriber that returns no subscriber and no error (a
// lookup that missed) fails the Subscriber call, naming the topic and the
// group, instead of a subscription that panics the process when it
// subscribes.
func TestPubSubTransportRefusesASubscriberFactoryThatReturnsNone(t *testing.T) {
	rig := newPubSubRig(t)
	byGroup := map[string]message.Subscriber{} // no subscriber for "svc"
	tr := rig.transport(t, cqrs.PubSubConfig{Subscriber: func(_, group string) (message.Subscriber, error) {
		return byGroup[group], nil
	}})
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	sub, err := tr.Subscriber("cmds")
	require.Error(t, err)
	assert.Nil(t, sub)
	assert.ErrorContains(t, err, `PubSubConfig.Subscriber("cmds", "svc") returned no subscriber`)
}
