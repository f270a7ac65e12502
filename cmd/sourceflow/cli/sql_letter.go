package cli

import (
	"encoding/base64"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// sqlLetter is a dead letter of a destination or an outbox, as sql
// dead-letters prints it (with --output json).
type sqlLetter struct {
	// MessageID is the SourceFlow message id (with its type, the idempotency key), else
	// the row's uuid.
	MessageID string `json:"message_id"`
	// UUID is the row's uuid (for an outbox, the forwarder envelope's).
	UUID string `json:"uuid"`
	// Type and Entity are the sf_type and sf_entity metadata.
	Type   string `json:"type,omitempty"`
	Entity string `json:"entity,omitempty"`
	// Destination is, for an outbox, where the forwarder was to publish the
	// message.
	Destination string `json:"destination,omitempty"`
	// Service is, for a destination, the consumer group (the service) that
	// dead-lettered the message (sourceflow.MetaDeadLetteredBy); empty for
	// a dead letter written before sqlbus recorded it.
	Service string `json:"service,omitempty"`
	// FailedHost and FailedVersion are, for a destination, which host and
	// which version of the service failed the message
	// (sourceflow.MetaFailedHost and MetaFailedVersion); empty for a dead
	// letter that does not say.
	FailedHost    string `json:"failed_host,omitempty"`
	FailedVersion string `json:"failed_version,omitempty"`
	// DeadLettered is when the dead letter's row was written (its
	// created_at) and AgeSeconds how long before the read, both by the
	// database's clock; sql dead-letters sets them.
	DeadLettered *time.Time `json:"dead_lettered,omitempty"`
	AgeSeconds   *int64     `json:"age_seconds,omitempty"`
	// EnvelopeCut says that an outbox's forwarder envelope was longer
	// than what was read of it (listedPayloadBytes, without --payload):
	// the message inside, its destination and its metadata are unknown.
	EnvelopeCut bool   `json:"envelope_cut,omitempty"`
	Reason      string `json:"reason"`
	// Redrives is how many times a redrive moved the message back before
	// (sf_redrives; for an outbox, the larger of the row's and the
	// message's): omitted when never.
	Redrives int `json:"redrives,omitempty"`
	// Payload is the payload when it is UTF-8 text, PayloadBase64 when not;
	// with --payload only.
	Payload       *string `json:"payload,omitempty"`
	PayloadBase64 *string `json:"payload_base64,omitempty"`

	payload []byte
}

// forwarderEnvelope is what an outbox row holds: Watermill's forwarder
// envelope around the message and its destination.
type forwarderEnvelope struct {
	DestinationTopic string            `json:"destination_topic"`
	UUID             string            `json:"uuid"`
	Payload          []byte            `json:"payload"`
	Metadata         map[string]string `json:"metadata"`
}

// decodeSQLLetter decodes dl; for an outbox's, the message inside the
// forwarder envelope (a row that is not one is shown as it is; one read
// cut, cut set, as long as listedPayloadBytes is said to be cut).
func decodeSQLLetter(dl cqrs.DeadLetter, isOutbox, cut bool) sqlLetter {
	meta, payload := map[string]string(dl.Message.Metadata), []byte(dl.Message.Payload)
	l := sqlLetter{UUID: dl.Message.UUID, Reason: dl.Reason}
	var env forwarderEnvelope
	switch {
	case !isOutbox:
	case json.Unmarshal(payload, &env) == nil && env.DestinationTopic != "":
		meta, payload, l.Destination = env.Metadata, env.Payload, env.DestinationTopic
	case cut && len(payload) >= listedPayloadBytes:
		l.EnvelopeCut = true
	}
	l.MessageID = firstOf(meta[sourceflow.MetaMessageID], env.UUID, dl.Message.UUID)
	l.Type, l.Entity, l.payload = meta[sourceflow.MetaType], meta[sourceflow.MetaEntityID], payload
	if !isOutbox {
		l.Service = meta[sourceflow.MetaDeadLetteredBy]
		l.FailedHost, l.FailedVersion = meta[sourceflow.MetaFailedHost], meta[sourceflow.MetaFailedVersion]
	}
	l.Redrives = max(sourceflow.Redrives(meta), sourceflow.Redrives(dl.Message.Metadata))
	return l
}

// withPayload sets the payload fields: the text when it is UTF-8, else its
// base64.
func (l sqlLetter) withPayload() sqlLetter {
	if utf8.Valid(l.payload) {
		s := string(l.payload)
		l.Payload = &s
		return l
	}
	s := base64.StdEncoding.EncodeToString(l.payload)
	l.PayloadBase64 = &s
	return l
}

// shownPayload is the payload as the table shows it: printable text, else
// "base64:" and its base64.
func (l sqlLetter) shownPayload() string {
	if l.Payload != nil {
		return printable(*l.Payload)
	}
	if l.PayloadBase64 != nil {
		return "base64:" + *l.PayloadBase64
	}
	return ""
}
