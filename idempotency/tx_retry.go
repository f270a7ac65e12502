package idempotency

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// runTx runs one handling (claim, handler, completion) in a transaction of
// the store, and after a failure that may pass runs it again in a new
// transaction under cfg.TxRetry: the failed attempt's writes are rolled
// back with it, so a retry never commits them, and the message is restored
// to what it was before the first attempt (inner phases such as decryption
// change it). A permanent error, a panic, ErrInProgress and an ended message
// context are not retried, nor is a handling that joined a transaction the
// message context already carried: that transaction is its owner's to
// retry.
//
// fn records in *claimed the token of the claim it took. Before a rerun,
// that claim is released again outside the transaction: a SQL rollback
// removed it already (the release finds nothing), but a store whose claims
// are visible outside the transaction (DynamoDB) releases it at rollback
// best effort, and a claim left behind would stop the rerun with
// ErrInProgress. A release that fails counts as a failed attempt.
func (m *Middleware) runTx(msg *message.Message, key Key, fn func(ctx context.Context, claimed *string) error) error {
	base := context.WithValue(msg.Context(), runTxKey{}, true) // a pointer, to recognise a join
	defer msg.SetContext(msg.Context())                        // not the ended transaction's
	payload, metadata := slices.Clone(msg.Payload), maps.Clone(msg.Metadata)
	joined := false
	var claimed string
	run := func(ctx context.Context) error {
		joined = ctx == base // WithinTx passes ctx through when it joins
		claimed = ""
		return fn(ctx, &claimed)
	}
	b := m.cfg.TxRetry.Start(nil)
	for {
		err := m.releaseLeftClaim(base, key, &claimed)
		if err == nil {
			err = m.tx.WithinTx(base, run)
			if err == nil || joined || !retryableTx(err) {
				return err
			}
		}
		wait, stop := b.Next(base)
		if stop == nil {
			m.cfg.Logger.Info("Retrying the handling in a new transaction", watermill.LogFields{
				"message_uuid": msg.UUID, "attempt": b.Attempts(), "wait": wait.String(), "err": err.Error(),
			})
			stop = b.Wait(base, wait)
		}
		if stop != nil {
			return err
		}
		msg.Payload, msg.Metadata = slices.Clone(payload), maps.Clone(metadata)
		m.c.txRetries.Add(1)
	}
}

// releaseLeftClaim releases the claim *claimed names, if any, and clears it
// once no claim of this handling is left: released now, or found gone
// (ErrLeaseLost: the rollback removed it, or the lease ran out).
func (m *Middleware) releaseLeftClaim(ctx context.Context, key Key, claimed *string) error {
	if *claimed == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.ReleaseTimeout)
	defer cancel()
	err := m.store.Release(ctx, key, *claimed)
	switch {
	case err == nil:
		m.c.released.Add(1)
	case !errors.Is(err, ErrLeaseLost):
		m.c.storeErrors.Add(1)
		return fmt.Errorf("idempotency: release the claim of the rolled-back handling of %s: %w", key, err)
	}
	*claimed = ""
	return nil
}

type runTxKey struct{}

func retryableTx(err error) bool {
	return !sourceflow.IsPermanent(err) && !errors.Is(err, sourceflow.ErrPanic) && !errors.Is(err, ErrInProgress)
}
