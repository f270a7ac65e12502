package sqldb

import (
	"cmp"
	"maps"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Message is the message r holds: its uuid, its payload and a copy of its
// metadata.
func (r WatermillRow) Message() *message.Message {
	m := message.NewMessage(r.UUID, r.Payload)
	maps.Copy(m.Metadata, r.Metadata)
	return m
}

// Reason is why r, a dead letter, was dead-lettered: its
// sourceflow.MetaFailure, else why its metadata could not be read.
func (r WatermillRow) Reason() string {
	return cmp.Or(r.Metadata[sourceflow.MetaFailure], r.Unreadable)
}
