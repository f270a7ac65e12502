package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// heldIdleInterval is how often, at least, a forwarding instance looks for
// held rows while it finds none.
const heldIdleInterval = time.Second

// heldBatch and heldBatchTime bound what one transaction of the retry
// relays: at most heldBatch rows of one destination, and no more row once
// heldBatchTime passed, so that a destination that recovers drains its
// held rows at about the forwarder's pace (a row costs its publish, the
// read and the delete being shared), and the transaction, which takes a
// transaction id only at its delete, is not kept open for long.
const (
	heldBatch     = 100
	heldBatchTime = time.Second
)

// heldRetry relays the held rows of each destination in order, each in a
// transaction that takes the destination's lock first (lockDestination: so
// instances relay a destination's rows one at a time, in order) and
// deletes it once relayed: a crash between
// the relay and the commit leaves it held, to be relayed again. A row the
// relay finds undeliverable (a permanent failure, a destination without a
// publisher past the grace) is dead-lettered and deleted in one
// transaction. A transient failure leaves the row, and the destination's
// rows behind it, to the destination's relay, after the forwarder's
// backoff. Each destination has a relay of its own (heldRelays), so one
// that hangs or keeps failing holds up its own rows only.
type heldRetry struct {
	db      *sql.DB
	topic   string
	held    heldTable
	relay   *relay
	dead    deadLetterPublisher
	log     *failureLog
	backoff backoff
	idle    time.Duration
	relays  *heldRelays
	after   heldCursor // where the next pass reads on from

	// pause waits the backoff after a relay's failure; false: the relay
	// ends (the instance stops).
	pause func(ctx context.Context, wait time.Duration) bool

	readFailures repeatlog.Row // the failed reads of the held table in a row (the database down)
	// relayLog logs the relays' failures other than a destination's
	// (the database down): the first at once, then at most one per
	// backoff.logEvery for all the relays, cleared by a relay that ends.
	relayLog *repeatlog.Logger
}

// newHeldRetry returns the retry of cfg.Topic's held rows, relaying through
// rel, dead-lettering through dead and logging through log, the
// forwarder's: a row of failures goes on from the forwarder to the retry.
func newHeldRetry(cfg Config, b backoff, rel *relay, dead deadLetterPublisher, log *failureLog) *heldRetry {
	return &heldRetry{
		db: cfg.DB, topic: cfg.Topic, held: newHeldTable(cfg.Dialect, cfg.Topic),
		relay: rel, dead: dead, log: log, relays: newHeldRelays(), pause: sleep,
		backoff: b, idle: max(cfg.PollInterval, heldIdleInterval), readFailures: repeatlog.Row{Interval: b.logEvery},
		relayLog: repeatlog.NewLogger(log.logger, b.logEvery),
	}
}

// run makes passes until ctx ends, then waits for the relays they
// started: after a pass that failed to read the held table it waits the
// next backoff, otherwise idle.
func (h *heldRetry) run(ctx context.Context) {
	defer h.relays.wait()
	var wait time.Duration
	for {
		next := h.idle
		if h.pass(ctx) {
			wait = h.backoff.next(wait)
			next = wait
		} else {
			wait = 0
		}
		if !sleep(ctx, next) {
			return
		}
	}
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// pass starts a relay (relayDestination) for each destination that has
// held rows and none, reading on after the destinations the previous pass
// read, and reports whether it failed to read them.
func (h *heldRetry) pass(ctx context.Context) (failed bool) {
	destinations, after, err := h.held.destinations(ctx, wsql.BeginnerFromStdSQL(h.db), h.after)
	if err != nil {
		if f, log := h.readFailures.Fail(time.Now()); log && ctx.Err() == nil {
			h.log.logger.Error("outbox: reading the held rows; logged again at most every "+h.backoff.logEvery.String(), err,
				watermill.LogFields{"topic": h.topic, "failed_attempts": f.Failures, "failing_for": f.FailingFor.String()})
		}
		return true
	}
	h.readFailures.End(time.Now())
	h.after = after
	for _, d := range destinations {
		h.relays.start(d, func() { h.relayDestination(ctx, d) })
	}
	return false
}

// relayDestination relays destination's held rows until none is left,
// waiting the next backoff after each failure, or until ctx ends. A
// failure other than the destination's (the database's) is logged through
// relayLog, shared by the relays, so an outage is logged once, not once
// per destination and attempt.
func (h *heldRetry) relayDestination(ctx context.Context, destination string) {
	var wait time.Duration
	for {
		err := h.drain(ctx, destination)
		if err == nil {
			h.relayLog.Cleared()
			return
		}
		if !errors.As(err, new(heldError)) && ctx.Err() == nil {
			h.relayLog.Error("outbox: relaying held rows; logged again at most every "+h.backoff.logEvery.String(), err,
				watermill.LogFields{"topic": h.topic, "destination": sourceflow.IDText(destination)})
		}
		wait = h.backoff.next(wait)
		if !h.pause(ctx, wait) {
			return
		}
	}
}

// drain relays destination's held rows, in order, a batch in each of the
// relays' slots in turn, until none is left or one fails.
func (h *heldRetry) drain(ctx context.Context, destination string) error {
	for h.relays.acquire(ctx) {
		empty, err := h.relayHead(ctx, destination)
		h.relays.release()
		if err != nil || empty {
			return err
		}
	}
	return ctx.Err()
}

// relayHead relays the first held rows of destination (relayLocked), and
// deletes them, in one transaction on a connection that holds the destination's lock
// (lockDestination) until the transaction ended; empty reports that
// destination had none, or that another session holds its lock (it
// relays them). A failure for want of a publisher is recorded in
// the held table (unknown_since), so that the grace counts from the first
// such failure on any instance, a restart included, until one finds a
// publisher.
func (h *heldRetry) relayHead(ctx context.Context, destination string) (empty bool, err error) {
	conn, err := h.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = conn.Close() }()
	unlock, err := lockDestination(ctx, conn, h.held.dialect, h.topic, destination)
	if errors.Is(err, errHeldLockTaken) {
		return true, nil // another session relays them: nothing for this pass to do
	}
	if err != nil {
		return false, fmt.Errorf("outbox: lock the held rows: %w", err) // the log names the destination
	}
	defer unlock()
	// Begun without ctx's cancellation: a relay cut short by Close rolls
	// back on a live connection, which then releases the lock, where pgx
	// would close a connection whose transaction's context ended, leaving
	// the lock held until the server finds the session gone.
	tx, err := afterCommitBeginner{wsql.BeginnerFromStdSQL(conn)}.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	empty, failure, err := h.relayLocked(ctx, tx, destination)
	if err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return empty, failure
}

// relayLocked is relayHead's work in tx: it relays the first held rows of
// destination in order, at most heldBatch and until heldBatchTime passed,
// stopping after one that was dead-lettered (its write took a
// transaction id) and at the first failure, then deletes the rows done.
// err rolls tx back, so the rows relayed in it are relayed again (at least
// once); failure (a transient failure, or a destination without a
// publisher, recorded in the held table) is returned once tx committed,
// with the rows before it deleted.
func (h *heldRetry) relayLocked(ctx context.Context, tx wsql.Tx, destination string) (empty bool, failure, err error) {
	rows, err := h.held.heads(ctx, tx, destination, heldBatch)
	if err != nil || len(rows) == 0 {
		return err == nil, nil, err
	}
	var done []int64
	start, cleared := time.Now(), false
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return false, nil, err
		}
		relayed, err := h.attempt(ctx, tx, destination, row)
		if errors.As(err, new(noPublisherError)) {
			failure = err
			if err := h.held.markUnknown(ctx, tx, destination); err != nil {
				return false, nil, err
			}
			break
		}
		if errors.As(err, new(heldError)) {
			failure = err
			break
		}
		if err != nil {
			return false, nil, err
		}
		done = append(done, row.seq)
		if relayed && row.unknownFor > 0 && !cleared {
			if err := h.held.clearUnknown(ctx, tx, destination); err != nil {
				return false, nil, err
			}
			cleared = true
		}
		if !relayed || time.Since(start) >= heldBatchTime {
			break
		}
	}
	return false, failure, h.held.release(ctx, tx, done)
}

// attempt relays row to destination (relayed), or dead-letters it in tx
// when it is undeliverable; a transient failure (a panic of the inner
// transport included) is logged and returned, one cut short by ctx's end
// (Close) only returned.
//
// A relayed row ends its destination's row of failures by name (the
// envelope, decoded once to relay it, names the same destination); the
// outbox row as a message is built for a failure only.
func (h *heldRetry) attempt(ctx context.Context, tx wsql.Tx, destination string, row heldRow) (relayed bool, err error) {
	msg, err := row.forwarded()
	if err == nil {
		msg.SetContext(ctx) // the relay bounds the attempt (attemptBound)
		err = recoveredPublish(func() error { return h.relay.publishHeld(destination, row.unknownFor, msg) })
	}
	switch {
	case err == nil:
		h.log.resumed(destination)
		return true, nil
	case ctx.Err() != nil: // the instance is stopping: not the destination's failure
		return false, ctx.Err()
	case errors.Is(err, ErrUndeliverable):
		outer := row.message()
		outer.Metadata.Set(middleware.ReasonForPoisonedKey, err.Error())
		h.log.succeeded(row.payload) // the row of failures ends, as when the forwarder dead-letters
		return false, h.dead.publish(tx, deadLetterTopic(h.dead.topic), []*message.Message{outer})
	}
	h.log.failed(row.message(), err)
	return false, heldError{err}
}

// message returns the held row as the outbox row it was; metadata that
// cannot be read is left out.
func (r heldRow) message() *message.Message {
	m := message.NewMessage(r.uuid, r.payload)
	var md message.Metadata
	if err := json.Unmarshal([]byte(r.metadata), &md); err == nil && md != nil {
		m.Metadata = md
	}
	return m
}

// forwarded returns the message the held row's envelope carries.
func (r heldRow) forwarded() (*message.Message, error) {
	var e envelope
	if err := json.Unmarshal(r.payload, &e); err != nil {
		return nil, undeliverable(fmt.Errorf("payload is not a forwarder envelope: %w", err))
	}
	msg := message.NewMessage(e.UUID, e.Payload)
	if e.Metadata != nil {
		msg.Metadata = e.Metadata
	}
	return msg, nil
}
