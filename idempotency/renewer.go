package idempotency

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// renewal extends one claim's lease every interval while its handler runs.
type renewal struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

// startRenewal starts renewing the lease held by token, unless renewal is
// disabled (RenewInterval < 0) or the middleware is transactional: there the
// uncommitted claim row is locked by the transaction, a competing claim waits
// for it instead of reading an expiry, and another connection could not
// update it anyway. The returned renewal must be stopped.
func (m *Middleware) startRenewal(ctx context.Context, key Key, token string) *renewal {
	r := &renewal{stop: make(chan struct{})}
	if m.cfg.RenewInterval < 0 || m.tx != nil {
		return r
	}
	given := ctx.Done()
	ctx = context.WithoutCancel(ctx) // a renewal in flight finishes even if the message is given up
	r.wg.Go(func() { m.renewLoop(ctx, given, r.stop, key, token) })
	return r
}

// runRenewed runs the handler while renewing the lease held by token; the
// renewal stops when the handler returns or panics.
func (m *Middleware) runRenewed(ctx context.Context, msg *message.Message, h message.HandlerFunc, key Key, token string) ([]*message.Message, error) {
	r := m.startRenewal(ctx, key, token)
	defer r.halt()
	return h(msg)
}

// halt stops the renewal and waits for an Extend in flight to return, so no
// renewal overlaps the completion or release that follows.
func (r *renewal) halt() {
	close(r.stop)
	r.wg.Wait()
}

// renewLoop extends the lease every RenewInterval until stop is closed, the
// lease is lost, or the message's context ends (given): a message the
// transport gave up on (released at shutdown, or whose consumer is being
// torn down) is no longer renewed, so its lease lapses and a hung handler
// cannot hold it forever. A lost lease is logged and counted; the handler
// keeps running and its completion reports ErrLeaseLost. Other failures are
// logged, counted as store errors and retried at the next tick.
func (m *Middleware) renewLoop(ctx context.Context, given <-chan struct{}, stop <-chan struct{}, key Key, token string) {
	t := time.NewTicker(m.cfg.RenewInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-given:
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, m.cfg.RenewInterval)
		err := m.store.Extend(cctx, key, token, m.cfg.Lease)
		cancel()
		fields := watermill.LogFields{"key": key.String()}
		switch {
		case err == nil:
			m.c.renewals.Add(1)
		case errors.Is(err, ErrLeaseLost):
			m.c.leasesLost.Add(1)
			m.cfg.Logger.Error("Idempotency lease lost while the handler runs; "+
				"a duplicate delivery may run concurrently", err, fields)
			return
		default:
			m.c.storeErrors.Add(1)
			m.cfg.Logger.Error("Idempotency lease renewal failed", err, fields)
		}
	}
}
