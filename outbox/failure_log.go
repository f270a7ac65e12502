package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// failureLogInterval is how often, at most, the forwarder logs that its
// forwards still fail, after it logged the first failure of a row of them.
const failureLogInterval = time.Minute

// failureLog logs the forwarder's failed attempts without flooding the log
// while the inner transport is down: the first failure in a row, then at
// most once per interval with the number of failures since the last line,
// and the first forward after them, with the number of failures in the
// row (repeatlog.Row, which also bounds the lines of the failed polls).
type failureLog struct {
	logger watermill.LoggerAdapter
	topic  string
	now    func() time.Time

	interval time.Duration

	mu   sync.Mutex
	rows map[string]*repeatlog.Row // the failed attempts in a row, by destination, while they last
}

func newFailureLog(logger watermill.LoggerAdapter, topic string, interval time.Duration) *failureLog {
	return &failureLog{logger: logger, topic: topic, now: time.Now, interval: interval, rows: map[string]*repeatlog.Row{}}
}

// middleware is the forwarder's outermost handler middleware. A row whose
// forward failed is nacked here, and so tried again after the backoff, and
// its failure is logged through l instead of by Watermill's router, which
// would log every attempt; so is a panic (see recovered). A row held after
// its failure (heldError) is logged the same way and acknowledged. A handling ended
// by the router's stop (context canceled) is returned as it is: the router
// nacks it without logging.
func (l *failureLog) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := recovered(h, msg)
		var held heldError
		switch {
		case err == nil:
			l.succeeded(msg.Payload)
			return out, nil
		case errors.Is(err, context.Canceled):
			return nil, err
		case errors.As(err, &held):
			l.failed(msg, held.err)
			return nil, nil // acknowledged: the row is held
		}
		l.failed(msg, err)
		msg.Nack() // the router's Ack that follows does nothing
		return nil, nil
	}
}

// failed logs a failed attempt of the row msg when it is the first in a
// row (of its destination), its error is new to the row (at most one such
// line per repeatlog.DefaultChangeInterval) or the last line is interval
// old: its error on one line, and at debug level in full (a stack trace)
// when that says more (see oneLine), with the row's uuid (row_uuid) and
// the forwarded message's destination, id and type (see forwardedFields).
// The ids are shown as sourceflow.IDText shows them: a row written to the
// outbox table by other means than the outbox's publisher may hold
// anything.
func (l *failureLog) failed(msg *message.Message, err error) {
	line, full := oneLine(err)
	destination := envelopeDestination(msg.Payload)
	l.mu.Lock()
	row, ok := l.rows[destination]
	if !ok {
		row = &repeatlog.Row{Interval: l.interval}
		l.rows[destination] = row
	}
	f, log := row.FailWith(l.now(), line)
	l.mu.Unlock()
	if !log {
		return
	}
	fields := forwardedFields(msg.Payload)
	fields["topic"], fields["row_uuid"] = l.topic, sourceflow.IDText(msg.UUID)
	fields["failed_attempts"], fields["failing_for"] = f.Failures, f.FailingFor.String()
	logged := errors.New(line)
	if f.First {
		l.logger.Error("outbox: forwarding failed; tried again after a backoff, logged again at most every "+l.interval.String(), logged, fields)
	} else {
		l.logger.Error("outbox: forwarding still fails", logged, fields)
	}
	if full != "" {
		fields = maps.Clone(fields)
		fields["error_detail"] = full
		l.logger.Debug("outbox: the forwarding failure in full", fields)
	}
}

// succeeded logs the end of a row of failures of the destination of the
// outbox row payload (resumed), decoding payload only while some
// destination has a row of failures.
func (l *failureLog) succeeded(payload []byte) {
	l.mu.Lock()
	idle := len(l.rows) == 0
	l.mu.Unlock()
	if !idle {
		l.resumed(envelopeDestination(payload))
	}
}

// resumed logs the end of the row of failures of destination, if it has
// one. Each destination has its rows of failures: one that keeps failing
// while the others are forwarded is logged as one row.
func (l *failureLog) resumed(destination string) {
	l.mu.Lock()
	row, ok := l.rows[destination]
	delete(l.rows, destination)
	l.mu.Unlock()
	if !ok {
		return
	}
	if failures, lasted, ended := row.End(l.now()); ended {
		fields := watermill.LogFields{"topic": l.topic, "failed_attempts": failures, "failed_for": lasted.String()}
		if destination != "" {
			fields["destination"] = sourceflow.IDText(destination)
		}
		l.logger.Info("outbox: forwarding resumed", fields)
	}
}

// envelopeDestination returns the destination of the forwarder envelope
// payload, "" when it is none.
func envelopeDestination(payload []byte) string {
	var e envelope
	if json.Unmarshal(payload, &e) != nil {
		return ""
	}
	return e.DestinationTopic
}

// forwardedFields names the message a forwarder envelope holds, as spans and
// the other services' logs name it: its destination, its id (message_id:
// see envelope.messageID) and its type (sourceflow.MetaType). A payload
// that is no envelope gives no fields.
func forwardedFields(payload []byte) watermill.LogFields {
	fields := watermill.LogFields{}
	var e envelope
	if json.Unmarshal(payload, &e) != nil {
		return fields
	}
	if e.DestinationTopic != "" {
		fields["destination"] = sourceflow.IDText(e.DestinationTopic)
	}
	if id := e.messageID(); id != "" {
		fields["message_id"] = sourceflow.IDText(id)
	}
	if typ := e.Metadata[sourceflow.MetaType]; typ != "" {
		fields["message_type"] = sourceflow.IDText(typ)
	}
	return fields
}

// messageID is the id of the message e holds, as every log line and
// `sourceflow sql dead-letters` name it: its sourceflow.MetaMessageID, the
// spans' messaging.message.id; its uuid when it has none.
func (e envelope) messageID() string {
	if id := e.Metadata[sourceflow.MetaMessageID]; id != "" {
		return id
	}
	return e.UUID
}
