package awsbus_test

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A message the publisher refuses before sending is named by its UUID as
// sourceflow.IDText shows it, as PublishError names one: a handler may
// publish again a message it received, with the 10 KB UUID its sender
// chose, and the error reaches log lines and dead-letter reasons.
func TestPublisherRefusalsBoundTheUUID(t *testing.T) {
	long := strings.Repeat("u", 10_000)
	with := func(change func(*message.Message)) *message.Message {
		m := command("r", "e")
		m.UUID = long
		change(m)
		return m
	}
	for name, c := range map[string]struct {
		msg  *message.Message
		want error
	}{
		"FIFO without entity id": {with(func(m *message.Message) { delete(m.Metadata, sourceflow.MetaEntityID) }), awsbus.ErrMissingEntityID},
		"binary payload":         {with(func(m *message.Message) { m.Payload = []byte{0xff} }), awsbus.ErrInvalidPayload},
		"empty payload":          {with(func(m *message.Message) { m.Payload = nil }), awsbus.ErrInvalidPayload},
		"envelope value not UTF-8": {with(func(m *message.Message) { m.Metadata.Set(sourceflow.MetaType, "\xff") }),
			awsbus.ErrInvalidAttribute},
		"reserved key":           {with(func(m *message.Message) { m.Metadata.Set(sourceflow.MetaEnvelope, "{}") }), awsbus.ErrInvalidAttribute},
		"invalid key":            {with(func(m *message.Message) { m.Metadata.Set("bad key", "v") }), awsbus.ErrInvalidAttribute},
		"invalid value":          {with(func(m *message.Message) { m.Metadata.Set("k", "\x00") }), awsbus.ErrInvalidAttribute},
		"UUID that is not UTF-8": {with(func(m *message.Message) { m.UUID = "\xff" + long }), awsbus.ErrInvalidAttribute},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})

			err := w.pub.Publish("orders.fifo", c.msg)

			require.ErrorIs(t, err, c.want)
			assert.Contains(t, err.Error(), " "+sourceflow.IDText(c.msg.UUID))
			assert.NotContains(t, err.Error(), strings.Repeat("u", 257))
		})
	}
}
