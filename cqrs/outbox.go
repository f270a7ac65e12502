package cqrs

import (
	"context"

	"github.com/sourceflow-go/sourceflow"
)

// An OutboxTransport is a Transport whose publishers write the messages of a
// context that carries a transaction into that transaction, to be relayed
// once it commits (a transactional outbox, see package outbox). With one, a
// saga stores its new state and writes the events it raised in one
// transaction of its EntityStore, and the CommandBus stores a command and
// writes it in one transaction of its CommandStore, when those stores are
// sourceflow.Transactors: nothing is sent for a change that rolled back, and
// nothing is lost for one that committed.
type OutboxTransport interface {
	Transport
	// PublishesInTransaction reports whether publishes join a transaction
	// the message context carries.
	PublishesInTransaction() bool
}

// withinOutboxTx runs fn in a transaction of store when the service's
// transport is an OutboxTransport and store can begin one; otherwise it runs
// fn as it is. Inside that transaction a conflicting save is not retried in
// place (the messages the failed run wrote would commit with the retry):
// the transaction rolls back and, when withinOutboxTx began it, runs again
// with the handler's sends rewound, at most conflictAttempts times; when it
// joined the caller's transaction, the conflict fails the caller's.
func (s *Service) withinOutboxTx(ctx context.Context, store any, fn func(context.Context) error) error {
	o, ok := s.cfg.Transport.(OutboxTransport)
	if !ok || !o.PublishesInTransaction() {
		return fn(ctx)
	}
	tx, ok := store.(sourceflow.Transactor)
	if !ok {
		return fn(ctx)
	}
	run := func(ctx context.Context) error { return fn(context.WithValue(ctx, outboxTxKey{}, true)) }
	if joins(ctx, store) || inOutboxTx(ctx) {
		return tx.WithinTx(ctx, run)
	}
	mark := sendMark(ctx)
	return retryConflicts(func() error {
		rewindSends(ctx, mark)
		return tx.WithinTx(ctx, run)
	}, func() string { return "cqrs: " })
}

// outboxTxKey marks a context whose transaction withinOutboxTx runs.
type outboxTxKey struct{}

// inOutboxTx reports whether ctx runs in withinOutboxTx's transaction, where
// a conflicting save must fail the transaction instead of being retried.
func inOutboxTx(ctx context.Context) bool { return ctx.Value(outboxTxKey{}) != nil }
