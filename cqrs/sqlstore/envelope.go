package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// envelopeJSON is the stored form of a command's envelope (the envelope
// column): snake_case names that do not change when Go fields are renamed,
// and the time in UTC as RFC 3339 with nanoseconds, as in message metadata.
type envelopeJSON struct {
	Type          string    `json:"type"`
	MessageID     string    `json:"message_id"`
	EntityID      string    `json:"entity_id"`
	Sequence      int64     `json:"sequence"`
	CorrelationID string    `json:"correlation_id,omitempty"`
	CausationID   string    `json:"causation_id,omitempty"`
	OccurredAt    time.Time `json:"occurred_at"`
	Replay        bool      `json:"replay,omitempty"`
	Hops          int       `json:"hops,omitempty"`
	Version       int       `json:"payload_version,omitempty"`
}

func encodeEnvelope(e cqrs.Envelope) (string, error) {
	b, err := json.Marshal(envelopeJSON{
		Type:          e.Type,
		MessageID:     e.MessageID,
		EntityID:      e.EntityID,
		Sequence:      e.Sequence,
		CorrelationID: e.CorrelationID,
		CausationID:   e.CausationID,
		OccurredAt:    e.OccurredAt.UTC(),
		Replay:        e.Replay,
		Hops:          e.Hops,
		Version:       e.PayloadVersion,
	})
	if err != nil {
		return "", fmt.Errorf("encode envelope: %w", err)
	}
	return string(b), nil
}

func decodeEnvelope(b []byte) (cqrs.Envelope, error) {
	var j envelopeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return cqrs.Envelope{}, fmt.Errorf("decode envelope: %w", err)
	}
	return cqrs.Envelope{
		Type:           j.Type,
		MessageID:      j.MessageID,
		EntityID:       j.EntityID,
		Sequence:       j.Sequence,
		CorrelationID:  j.CorrelationID,
		CausationID:    j.CausationID,
		OccurredAt:     j.OccurredAt.UTC(),
		Replay:         j.Replay,
		Hops:           j.Hops,
		PayloadVersion: j.Version,
	}, nil
}
