package dynamo

import (
	"context"
	"time"
)

// SettleTimeout bounds the requests made once the work they settle is over
// and its context may have ended: those of the outbox recording what became
// of a publish, and those a transaction makes: reading back the writes of a commit
// whose outcome is unknown (OnUncertain), and undoing what was done at once
// (OnRollback). They run without the caller's cancellation, since a commit
// interrupted by it may have been applied, but not without end: the
// read-back and the rollback get this long each, so against an endpoint
// that does not answer WithinTx returns at most twice this long after its
// commit failed.
const SettleTimeout = 10 * time.Second

// SettleContext returns the context of such a request: ctx's values,
// without its end, bounded by SettleTimeout.
func SettleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
}
