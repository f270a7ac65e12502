package idempotency

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/circuit"
)

// runTx runs one handling (claim, handler, completion) in a transaction of
// the store, and after a failure that may pass runs it again in a new
// transaction under cfg.TxRetry, waiting on cfg.Clock: the failed attempt's
// writes are rolled back with it, so a retry never commits them, and the
// message is restored
// to what it was before the first attempt (inner phases such as decryption
// change it). A permanent error, a panic, ErrInProgress, an open circuit
// (sourceflow.ErrCircuitOpen: it refuses again until its cool-down ends;
// a half-open one's refusal, sourceflow.ErrCircuitHalfOpen, is retried
// unless the error joins it with an open one's)
// and an ended message context are not retried, nor is a handling that
// joined a transaction the message context already carried: that
// transaction is its owner's to retry. A failure that hints a delay
// (sourceflow.RetryAfter) waits at least that long before the next
// transaction, and is returned at once, hint kept for the transport's
// redelivery, when the delay would end past TxRetry's MaxElapsed.
//
// fn records in *run the token of the claim it took and whether the
// handler failed: only a handling whose handler succeeded can have lost its
// lease at the completion, so a handler's own error wrapping ErrLeaseLost
// (a nested handling's, for instance) is not taken for it. When the
// rollback could not release that claim (ErrClaimHeld: a store whose
// claims are visible outside its transactions, such as DynamoDB), it is
// released again before the next run, which would otherwise meet it and
// stop with ErrInProgress; a release that fails again counts as a failed
// attempt. When no run follows, the claim is released once more, best
// effort.
func (m *Middleware) runTx(msg *message.Message, key Key, fn func(ctx context.Context, run *txRun) error) error {
	base := context.WithValue(msg.Context(), runTxKey{}, true) // a pointer, to recognise a join
	defer msg.SetContext(msg.Context())                        // not the ended transaction's
	payload, metadata := slices.Clone(msg.Payload), maps.Clone(msg.Metadata)
	joined := false
	var rec txRun   // what the last run recorded
	var held string // the claim a rollback left held
	run := func(ctx context.Context) error {
		joined = ctx == base // WithinTx passes ctx through when it joins
		rec = txRun{}
		return fn(ctx, &rec)
	}
	b := m.cfg.TxRetry.Start(m.cfg.Clock)
	var last error // the last run's error
	for {
		err := m.releaseHeld(base, key, &held)
		if err == nil {
			if last != nil {
				msg.Payload, msg.Metadata = slices.Clone(payload), maps.Clone(metadata)
				m.c.txRetries.Add(1)
			}
			last = m.tx.WithinTx(base, run)
			m.countTx(key, last, rec)
			if errors.Is(last, ErrClaimHeld) {
				held = rec.acquired
			}
			if last == nil || joined || !retryableTx(last) {
				_ = m.releaseHeld(base, key, &held)
				return last
			}
			err = last
		} else {
			err = joinErrors(last, err)
		}
		if stop := m.waitTx(base, msg, b, err); stop != nil {
			_ = m.releaseHeld(base, key, &held)
			return err
		}
	}
}

// waitTx waits, under b, before the next transaction of msg's handling,
// which failed with err, and logs the retry and reports it to the
// retried-run observer of ctx (sourceflow.ObserveRetriedRun); or returns why none follows,
// and logs a hinted err whose wait would pass TxRetry's MaxElapsed, which
// goes back to the transport at once for its redelivery to wait the hint.
func (m *Middleware) waitTx(ctx context.Context, msg *message.Message, b *sourceflow.Backoff, err error) error {
	wait, stop := b.NextFor(ctx, err)
	if stop == nil {
		sourceflow.ObserveRetriedRun(ctx, b.Attempts(), err)
		m.cfg.Logger.Info("Retrying the handling in a new transaction", watermill.LogFields{
			"message_id": sourceflow.IDText(msg.UUID), "attempt": b.Attempts(), "wait": wait.String(), "err": err.Error(),
		})
		return b.Wait(ctx, wait)
	}
	if hint, ok := sourceflow.RetryAfterOf(err); ok && errors.Is(stop, sourceflow.ErrRetryDeadline) {
		m.cfg.Logger.Info("Leaving the retry to the transport: the hinted delay passes TxRetry's MaxElapsed", watermill.LogFields{
			"message_id": sourceflow.IDText(msg.UUID), "attempt": b.Attempts(), "retry_after": hint.String(),
			"max_elapsed": m.cfg.TxRetry.MaxElapsed.String(), "err": err.Error(),
		})
	}
	return stop
}

// releaseHeld releases the claim *held names, if any, and clears it once
// no claim of this handling is left: released now, or found gone
// (ErrLeaseLost: the lease ran out, or the first release did land).
func (m *Middleware) releaseHeld(ctx context.Context, key Key, held *string) error {
	if *held == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.ReleaseTimeout)
	defer cancel()
	err := m.store.Release(ctx, key, *held)
	switch {
	case err == nil:
		m.c.released.Add(1)
	case !errors.Is(err, ErrLeaseLost):
		m.c.storeErrors.Add(1)
		m.cfg.Logger.Error("Idempotency release after a rollback failed", err, watermill.LogFields{"key": key.String()})
		return opError("release the claim of the rolled-back handling of", key, err)
	}
	*held = ""
	return nil
}

// countTx counts the outcome of one handling transaction: a completion once
// it committed (run names the claim the handling took), or a completion
// refused because the lease was taken over, which a store such as DynamoDB's
// finds only as it commits. A handler's own error is never the lost lease
// of the handling, whatever it wraps: its completion did not run.
func (m *Middleware) countTx(key Key, err error, run txRun) {
	switch {
	case err == nil && run.claimed != "":
		m.c.completed.Add(1)
	case errors.Is(err, ErrLeaseLost) && !run.handlerFailed:
		m.leaseLostAtCompletion(key, err)
	}
}

// txRun is what one handling run in a transaction records for runTx. Its
// methods do nothing on a nil *txRun (a handling outside a transaction).
type txRun struct {
	claimed string // the token of the claim the run took, if any
	// acquired is the token of the claim the run acquired, if any, even
	// one it did not take for its handler (found completed under the
	// previous release's key): a rollback may leave it held (ErrClaimHeld).
	acquired string
	// handlerFailed is set when the handler starts and cleared when it
	// returns without error: while it is set, the run's error is the
	// handler's (or its panic's), not the completion's.
	handlerFailed bool
}

// took records the claim the run took, which it acquired before (see
// acquire), as its handler's.
func (r *txRun) took(token string) {
	if r != nil {
		r.claimed, r.handlerFailed = token, true
	}
}

// acquire records the claim the run acquired, before it looks the message
// up under the previous release's key.
func (r *txRun) acquire(token string) {
	if r != nil {
		r.acquired = token
	}
}

// handlerSucceeded records that the handler returned without error: an
// error from here on is the completion's.
func (r *txRun) handlerSucceeded() {
	if r != nil {
		r.handlerFailed = false
	}
}

type runTxKey struct{}

// retryableTx reports whether a handling that failed with err may run
// again in a new transaction.
func retryableTx(err error) bool {
	return !sourceflow.IsPermanent(err) && !errors.Is(err, sourceflow.ErrPanic) &&
		!errors.Is(err, ErrInProgress) && !circuit.StaysOpen(err)
}
