package cqrs

import (
	"github.com/ThreeDotsLabs/watermill/message"
)

// smallMetadata is how many keys Go's smallest map holds: a map made for
// more is laid out once, where one filled key by key past it is rebuilt.
const smallMetadata = 8

// copyWithRoom returns a copy of m, context included, without the metadata
// keys drop reports (nil drops none), its metadata made for extra keys
// more: Message.Copy fills a map made for none, which grows past
// smallMetadata as the copy's keys, and then the markers set on it, are
// added.
func copyWithRoom(m *message.Message, extra int, drop func(key string) bool) *message.Message {
	c := message.NewMessage(m.UUID, m.Payload)
	if n := len(m.Metadata) + extra; n > smallMetadata {
		c.Metadata = make(message.Metadata, n)
	}
	for k, v := range m.Metadata {
		if drop == nil || !drop(k) {
			c.Metadata[k] = v
		}
	}
	c.SetContext(m.Context())
	return c
}
