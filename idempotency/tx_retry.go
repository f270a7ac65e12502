package idempotency

import (
	"context"
	"errors"
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
func (m *Middleware) runTx(msg *message.Message, fn func(ctx context.Context) error) error {
	base := context.WithValue(msg.Context(), runTxKey{}, true) // a pointer, to recognise a join
	defer msg.SetContext(msg.Context())                        // not the ended transaction's
	payload, metadata := slices.Clone(msg.Payload), maps.Clone(msg.Metadata)
	joined := false
	run := func(ctx context.Context) error {
		joined = ctx == base // WithinTx passes ctx through when it joins
		return fn(ctx)
	}
	b := m.cfg.TxRetry.Start(nil)
	for {
		err := m.tx.WithinTx(base, run)
		if err == nil || joined || !retryableTx(err) {
			return err
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

type runTxKey struct{}

func retryableTx(err error) bool {
	return !sourceflow.IsPermanent(err) && !errors.Is(err, sourceflow.ErrPanic) && !errors.Is(err, ErrInProgress)
}
