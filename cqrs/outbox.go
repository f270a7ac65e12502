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
// fn as it is.
func (s *Service) withinOutboxTx(ctx context.Context, store any, fn func(context.Context) error) error {
	o, ok := s.cfg.Transport.(OutboxTransport)
	if !ok || !o.PublishesInTransaction() {
		return fn(ctx)
	}
	tx, ok := store.(sourceflow.Transactor)
	if !ok {
		return fn(ctx)
	}
	return tx.WithinTx(ctx, fn)
}
