package cqrs

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// outsideTxWarning is the message of the warning a handler's first
// handling logs when its store does not join the transaction of a
// transactional idempotency middleware.
const outsideTxWarning = "cqrs: the handler's store does not join the transaction of the transactional idempotency middleware: " +
	"the message's idempotency record commits in that transaction, the handler's state apart from it " +
	"(in memory when the service's stores are the defaults), so a failure between the two is not undone with them. " +
	"Build the service with the NewService of the Backend whose Idempotency made the middleware " +
	"(or call its Configure before cqrs.NewService, which copies its ServiceConfig)"

// outsideTx logs outsideTxWarning once per handler.
type outsideTx struct {
	logger  watermill.LoggerAdapter
	service string
	warned  sync.Map // handler names
}

// check warns, at h's first handling in a handling transaction (see
// sourceflow.InHandlingTx) that h's store does not join, that it does not.
func (w *outsideTx) check(ctx context.Context, h boundHandler) {
	if w == nil || h.inTx == nil || !sourceflow.InHandlingTx(ctx) || h.inTx(ctx) {
		return
	}
	if _, done := w.warned.LoadOrStore(h.name, true); done {
		return
	}
	slogdefault.Warn(w.logger, outsideTxWarning, watermill.LogFields{"service": w.service, "handler": h.name})
}
