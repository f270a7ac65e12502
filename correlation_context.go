package sourceflow

import (
	"context"
	"unicode"
	"unicode/utf8"
)

// MaxCorrelationIDLen is the longest correlation id, in bytes, that is
// propagated. A correlation id is copied onto every message of its flow and
// into logs and spans, so one that anyone who may send to a queue chose is
// bounded.
const MaxCorrelationIDLen = 256

type correlationKey struct{}

// ValidCorrelationID reports whether id is a correlation id that is
// propagated: not empty, at most MaxCorrelationIDLen bytes, valid UTF-8 and
// graphic (letters, marks, numbers, punctuation, symbols and spaces, such
// as U+00A0; no control, format or line-separator characters that a log
// line or a terminal would act on).
//
// An id that is not valid is dropped, not cut: the message then starts a
// new flow, as one without a correlation id does. A cut id would still
// carry characters its sender chose, and two long ids sharing their first
// bytes would be taken for one flow.
func ValidCorrelationID(id string) bool {
	if id == "" || len(id) > MaxCorrelationIDLen || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if !unicode.IsGraphic(r) {
			return false
		}
	}
	return true
}

// ContextWithCorrelationID returns a copy of ctx that carries a correlation
// id. Messages sent or raised with that context outside a handler belong to
// that flow (cqrs's Aggregate.Send and EventQueue.Raise read it), and the
// correlation middleware puts the id of the message being handled there. An
// empty id, or one that is not valid (ValidCorrelationID: too long, not
// printable), leaves ctx unchanged: the messages sent with it start new
// flows.
func ContextWithCorrelationID(ctx context.Context, id string) context.Context {
	if !ValidCorrelationID(id) {
		return ctx
	}
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationIDFromContext returns the correlation id carried by ctx, or ""
// when there is none.
func CorrelationIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
