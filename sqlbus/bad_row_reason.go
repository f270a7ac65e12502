package sqlbus

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// badRowReason makes the reason (sourceflow.MetaFailure) of dead letter m
// say why, when m is a row whose metadata column could not be read
// (sqldb.MetaBadRow): the consumer refused it for what the lost metadata
// left out (most often a missing sf_type), which is not why. The cause
// comes first, the consumer's own error after it.
func badRowReason(m *message.Message) {
	bad := m.Metadata.Get(sqldb.MetaBadRow)
	if bad == "" {
		return
	}
	reason := "the row's " + bad
	if failure := m.Metadata.Get(sourceflow.MetaFailure); failure != "" {
		reason += " (so the consumer refused it: " + failure + ")"
	}
	m.Metadata.Set(sourceflow.MetaFailure, reason)
}
