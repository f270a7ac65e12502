package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// heldError is a row's transient failure to forward after the row was
// held: the forwarder logs it (failureLog) and acknowledges the row, whose
// hold commits with its offset.
type heldError struct{ err error }

func (e heldError) Error() string { return e.err.Error() }
func (e heldError) Unwrap() error { return e.err }

// holder holds the forwarder's rows (holding). It asks, in the poll's
// transaction, whether the held table has any row, then, when it has,
// whether each destination of the poll has (through the index, however
// many rows are held), each once per poll: during a poll only that poll
// adds held rows (one poll at a time holds the forwarders' lock), and it
// adds each to what it read, so the answer is never short; a destination
// whose held rows a retry relayed meanwhile only has one more row held,
// relayed next.
type holder struct {
	table heldTable

	mu    sync.Mutex
	tx    wsql.Tx         // the poll none and dests were read in
	none  bool            // the held table had no row
	dests map[string]bool // whether each destination asked about, or held since, has held rows
}

// holding is the forwarder's innermost handler middleware, given rows
// checkRow let through. A row whose destination has held rows is held
// behind them without an attempt; a row whose forward fails transiently is
// held (for want of a publisher: recorded, heldTable.markUnknown). Either
// is written into the held table in the poll's transaction,
// which acknowledges it: the hold and the acknowledgement commit together,
// or neither does and the row is read again. The rows for other
// destinations go on; the held ones are relayed by heldRetry. A failure to
// look or to hold, and a panic of the inner transport (which the relay
// returns as a *sourceflow.PanicError), is the row's transient failure: the
// poll ends without acknowledging it.
func (h *holder) holding(next message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		tx, ok := wsql.TxFromContext(msg.Context())
		if !ok {
			return next(msg)
		}
		var e envelope
		if err := json.Unmarshal(msg.Payload, &e); err != nil {
			return next(msg) // checkRow let no such row through
		}
		held, err := h.holds(msg.Context(), tx, e.DestinationTopic)
		if err != nil {
			return nil, fmt.Errorf("outbox: look for held rows of %q: %w", e.DestinationTopic, err)
		}
		if held {
			return nil, h.hold(msg.Context(), tx, e.DestinationTopic, msg)
		}
		out, err := next(msg)
		if err == nil || errors.Is(err, ErrUndeliverable) || errors.Is(err, context.Canceled) ||
			errors.Is(err, sourceflow.ErrPanic) { // a panic of the inner transport ends the poll: not held
			return out, err
		}
		if fe := (forwardError{}); errors.As(err, &fe) {
			err = fe.err // as the retry of the held rows meets it
		}
		herr := h.hold(msg.Context(), tx, e.DestinationTopic, msg)
		if herr == nil && errors.As(err, new(noPublisherError)) {
			herr = h.table.markUnknown(msg.Context(), tx, e.DestinationTopic)
		}
		if herr != nil {
			return nil, errors.Join(err, herr)
		}
		return nil, heldError{err}
	}
}

// holds reports whether destination has held rows, as seen by the poll tx.
func (h *holder) holds(ctx context.Context, tx wsql.Tx, destination string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tx != tx {
		some, err := h.table.any(ctx, tx)
		if err != nil {
			return false, err
		}
		h.tx, h.none, h.dests = tx, !some, map[string]bool{}
	}
	if held, ok := h.dests[destination]; ok || h.none {
		return held, nil
	}
	held, err := h.table.holds(ctx, tx, destination)
	if err != nil {
		return false, err
	}
	h.dests[destination] = held
	return held, nil
}

// hold holds msg in tx and records that destination has held rows.
func (h *holder) hold(ctx context.Context, tx wsql.Tx, destination string, msg *message.Message) error {
	if err := h.table.hold(ctx, tx, destination, msg); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tx == tx {
		h.dests[destination] = true
	}
	return nil
}
