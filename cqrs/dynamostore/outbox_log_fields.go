package dynamostore

import (
	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// logFields are the fields that name it in a log line: its message's UUID
// (message_id), its destination and its sort key (sk), which holds the
// UUID and the destination. All three are shown as sourceflow.IDText shows
// them (bounded, escaped): a handler may publish again a message it
// received, with the UUID its sender chose, and an item written to the
// table by other means may have any id and name any destination.
func (it outboxItem) logFields() watermill.LogFields {
	return watermill.LogFields{
		"message_id": sourceflow.IDText(it.UUID), "destination": sourceflow.IDText(it.Destination), "sk": sourceflow.IDText(it.SK),
	}
}
