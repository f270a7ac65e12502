package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// heldError is a row's transient failure to forward after the row was
// held: the forwarder logs it (failureLog) and acknowledges the row, whose
// hold commits with its offset.
type heldError struct{ err error }

func (e heldError) Error() string { return e.err.Error() }
func (e heldError) Unwrap() error { return e.err }

// holding is the forwarder's innermost handler middleware, given rows
// checkRow let through. A row whose destination has held rows is held
// behind them without an attempt; a row whose forward fails transiently is
// held. Either is written into the held table in the poll's transaction,
// which acknowledges it: the hold and the acknowledgement commit together,
// or neither does and the row is read again. The rows for other
// destinations go on; the held ones are relayed by heldRetry. A failure to
// look or to hold is the row's transient failure: the poll ends without
// acknowledging it.
func (h heldTable) holding(next message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		tx, ok := wsql.TxFromContext(msg.Context())
		if !ok {
			return next(msg)
		}
		var e envelope
		if err := json.Unmarshal(msg.Payload, &e); err != nil {
			return next(msg) // checkRow let no such row through
		}
		ctx := msg.Context()
		held, err := h.holds(ctx, tx, e.DestinationTopic)
		if err != nil {
			return nil, fmt.Errorf("outbox: look for held rows of %q: %w", e.DestinationTopic, err)
		}
		if held {
			return nil, h.hold(ctx, tx, e.DestinationTopic, msg)
		}
		out, err := next(msg)
		if err == nil || errors.Is(err, ErrUndeliverable) || errors.Is(err, context.Canceled) {
			return out, err
		}
		if herr := h.hold(ctx, tx, e.DestinationTopic, msg); herr != nil {
			return nil, errors.Join(err, herr)
		}
		return nil, heldError{err}
	}
}
