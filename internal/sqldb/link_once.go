package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// PlaintextOnce runs WarnPlaintext for a component that checks its
// connection on a call of its own (a publish, a subscription, a start),
// within that call's context, until one run concluded. A call finding a
// check under way does not wait for it: the check only informs, and the
// call has work of its own. A check cut short because its caller's context
// ended concludes nothing, so a later call runs it again rather than the
// warning being lost. The zero value is ready to use.
type PlaintextOnce struct {
	running sync.Mutex
	done    atomic.Bool
}

// Warn runs WarnPlaintext (see there) with its arguments, unless a run
// concluded already or another is under way.
func (o *PlaintextOnce) Warn(ctx context.Context, db *sql.DB, d Dialect, dsn string, timeout time.Duration,
	logger watermill.LoggerAdapter, component string) {
	if o.done.Load() || !o.running.TryLock() {
		return
	}
	defer o.running.Unlock()
	if !o.done.Load() && WarnPlaintext(ctx, db, d, dsn, timeout, logger, component) {
		o.done.Store(true)
	}
}
