package outbox

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// envelope is the JSON document components/forwarder's publisher writes
// into each outbox row: the forwarded message and its destination.
type envelope struct {
	DestinationTopic string            `json:"destination_topic"`
	UUID             string            `json:"uuid"`
	Payload          []byte            `json:"payload"`
	Metadata         map[string]string `json:"metadata"`
}

// undeliverable marks err as a reason to dead-letter the row.
func undeliverable(err error) error { return fmt.Errorf("%w: %w", ErrUndeliverable, err) }

// checkRow is the forwarder's handler middleware that refuses, as
// undeliverable, a row the forwarder could never unwrap: undecodable
// metadata, a payload that is not an envelope, or an envelope without a
// destination or message id. Refusing it here, before the forwarder's own
// handler, also keeps the payload out of the forwarder's error log.
func checkRow(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if reason := msg.Metadata.Get(sqldb.MetaBadRow); reason != "" {
			return nil, undeliverable(errors.New(reason))
		}
		var e envelope
		if err := json.Unmarshal(msg.Payload, &e); err != nil {
			return nil, undeliverable(fmt.Errorf("payload is not a forwarder envelope: %w", err))
		}
		if e.DestinationTopic == "" {
			return nil, undeliverable(errors.New("envelope has no destination_topic"))
		}
		if e.UUID == "" {
			return nil, undeliverable(errors.New("envelope has no uuid"))
		}
		return h(msg)
	}
}
