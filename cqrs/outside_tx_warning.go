package cqrs

import (
	"context"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// outsideTxWarning is the message of the warning a handler's first
// handling logs when it keeps its state in a memory store while a
// transactional idempotency middleware runs it in a transaction.
const outsideTxWarning = "cqrs: the handler's store does not join the transaction of the transactional idempotency middleware: " +
	"the message's idempotency record commits in that transaction, the handler's state in a memory store of the process, " +
	"so a failure between the two is not undone with them. " +
	"Build the service with the NewService of the Backend whose Idempotency made the middleware " +
	"(or call its Configure before cqrs.NewService, which copies its ServiceConfig)"

// outsideTx logs outsideTxWarning once per handler.
type outsideTx struct {
	logger  watermill.LoggerAdapter
	service string
}

// memoryWarning is, for a saga or view handler whose store is a
// MemoryStore, whether its warning was logged; nil for any other handler.
// Only a MemoryStore is known for certain to stay out of a handling
// transaction: another store may join it later (dynamostore's entity store
// does inside its own WithinTx), and a reaction keeps no state.
func memoryWarning(store any) *atomic.Bool {
	if _, mem := store.(*MemoryStore); mem {
		return new(atomic.Bool)
	}
	return nil
}

// check warns, at h's first handling in a handling transaction (see
// sourceflow.InHandlingTx), that h keeps its state in a memory store.
func (w *outsideTx) check(ctx context.Context, h boundHandler) {
	if w == nil || h.warned == nil || h.warned.Load() || !sourceflow.InHandlingTx(ctx) {
		return
	}
	if h.warned.Swap(true) {
		return
	}
	slogdefault.Warn(w.logger, outsideTxWarning, watermill.LogFields{"service": w.service, "handler": h.name})
}
