package cqrs

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Envelope is the SourceFlow metadata of one command or event. It travels in
// Watermill message metadata under the keys of the root package.
type Envelope struct {
	// Type is the registered logical type name.
	Type string
	// MessageID identifies one logical message; it is kept across retries and
	// is the idempotency key.
	MessageID string
	// EntityID is the id of the entity the message is about.
	EntityID string
	// Sequence is the per-entity sequence number of the command (events carry
	// the sequence of the command that raised them). It numbers an entity's
	// commands in the order they were sent, not the order they were handled:
	// commands sent concurrently can be handled in another order (see View).
	Sequence int64
	// CorrelationID ties together every message of one business flow.
	CorrelationID string
	// CausationID is the message id of the message that caused this one.
	CausationID string
	// OccurredAt is when the message was created.
	OccurredAt time.Time
	// Replay is true while a stored command is re-run by Replay.
	Replay bool
	// Hops is how many handled messages led to this one: 0 for a message
	// sent outside a handler, one more than the handled message's for one
	// a handler sends or raises. A send past ServiceConfig.MaxHops is
	// refused (ErrHopLimit), which stops a causation loop.
	Hops int
	// PayloadVersion is the version of the payload's shape: its type's
	// PayloadVersion where it was sent. A handler is given the payload
	// upcast to its own type's version (Upcast), and this version with it.
	PayloadVersion int
}

// WriteTo writes the envelope into msg's metadata and sets msg.UUID to the
// message id.
func (e Envelope) WriteTo(msg *message.Message) {
	md := msg.Metadata
	md.Set(sourceflow.MetaType, e.Type)
	md.Set(sourceflow.MetaMessageID, e.MessageID)
	md.Set(sourceflow.MetaEntityID, e.EntityID)
	md.Set(sourceflow.MetaSequence, strconv.FormatInt(e.Sequence, 10))
	setIfNotEmpty(md, sourceflow.MetaCorrelationID, e.CorrelationID)
	setIfNotEmpty(md, sourceflow.MetaCausationID, e.CausationID)
	md.Set(sourceflow.MetaOccurredAt, e.OccurredAt.UTC().Format(time.RFC3339Nano))
	if e.Replay {
		md.Set(sourceflow.MetaReplay, "true")
	} else {
		delete(md, sourceflow.MetaReplay)
	}
	setCount(md, sourceflow.MetaHops, e.Hops)
	setCount(md, sourceflow.MetaPayloadVersion, e.PayloadVersion)
	msg.UUID = e.MessageID
}

func setIfNotEmpty(md message.Metadata, key, value string) {
	if value != "" {
		md.Set(key, value)
	}
}

// EnvelopeOf reads the envelope from msg's metadata. A missing type or
// message id, or a malformed sequence, time, replay flag, hop count or payload version, is ErrEnvelope;
// so is a time whose UTC year is outside 0000-9999, which WriteTo could not
// write back.
func EnvelopeOf(msg *message.Message) (Envelope, error) {
	md := msg.Metadata
	e := Envelope{
		Type:          md.Get(sourceflow.MetaType),
		MessageID:     md.Get(sourceflow.MetaMessageID),
		EntityID:      md.Get(sourceflow.MetaEntityID),
		CorrelationID: md.Get(sourceflow.MetaCorrelationID),
		CausationID:   md.Get(sourceflow.MetaCausationID),
	}
	if e.Type == "" {
		return e, fmt.Errorf("%w: missing %s", ErrEnvelope, sourceflow.MetaType)
	}
	e.MessageID = cmp.Or(e.MessageID, msg.UUID)
	if e.MessageID == "" {
		return e, fmt.Errorf("%w: missing %s", ErrEnvelope, sourceflow.MetaMessageID)
	}
	var err error
	if s := md.Get(sourceflow.MetaSequence); s != "" {
		if e.Sequence, err = strconv.ParseInt(s, 10, 64); err != nil {
			return e, fmt.Errorf("%w: %s %s is not an integer", ErrEnvelope, sourceflow.MetaSequence, quotedID(s))
		}
	}
	if s := md.Get(sourceflow.MetaOccurredAt); s != "" {
		// WriteTo writes the time in UTC, which RFC 3339 limits to the years 0000-9999.
		e.OccurredAt, err = time.Parse(time.RFC3339Nano, s)
		if y := e.OccurredAt.UTC().Year(); err != nil || y < 0 || y > 9999 {
			return e, fmt.Errorf("%w: %s %s is not RFC 3339 with a UTC year in 0000-9999", ErrEnvelope, sourceflow.MetaOccurredAt, quotedID(s))
		}
	}
	if s := md.Get(sourceflow.MetaReplay); s != "" {
		if e.Replay, err = strconv.ParseBool(s); err != nil {
			return e, fmt.Errorf("%w: %s %s is not a boolean", ErrEnvelope, sourceflow.MetaReplay, quotedID(s))
		}
	}
	if e.Hops, err = countOf(md, sourceflow.MetaHops); err != nil {
		return e, err
	}
	if e.PayloadVersion, err = countOf(md, sourceflow.MetaPayloadVersion); err != nil {
		return e, err
	}
	return e, nil
}

// setCount writes n under key, or, when 0, deletes key: a message of
// count 0 travels as one sent before the key existed.
func setCount(md message.Metadata, key string, n int) {
	if n > 0 {
		md.Set(key, strconv.Itoa(n))
	} else {
		delete(md, key)
	}
}

// countOf reads md's key as a count, a non-negative int; absent, it is 0.
func countOf(md message.Metadata, key string) (int, error) {
	s := md.Get(key)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s %s is not a non-negative integer", ErrEnvelope, key, quotedID(s))
	}
	return n, nil
}
