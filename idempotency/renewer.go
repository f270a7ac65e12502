package idempotency

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// renewal extends one claim's lease every interval while its handler runs.
// Nothing runs until the first interval has passed: most handlers finish
// long before, and then the renewal has cost one timer, no goroutine.
type renewal struct {
	timer *time.Timer // nil when renewal is off
	mu    sync.Mutex
	// halted is set by halt; stop and done exist once the loop started.
	halted     bool
	stop, done chan struct{}
	// lost is set when a renewal found the lease lost (and reported it).
	lost atomic.Bool
}

// startRenewal arranges for the lease held by token to be renewed while the
// handler runs, unless renewal is disabled (RenewInterval < 0) or the
// middleware is transactional: there the uncommitted claim row is locked by
// the transaction, a competing claim waits for it instead of reading an
// expiry, and another connection could not update it anyway. The returned
// renewal must be halted.
func (m *Middleware) startRenewal(ctx context.Context, key Key, token string) *renewal {
	r := &renewal{}
	if m.cfg.RenewInterval < 0 || m.tx != nil {
		return r
	}
	r.timer = time.AfterFunc(m.cfg.RenewInterval, func() {
		r.mu.Lock()
		if r.halted {
			r.mu.Unlock()
			return
		}
		stop, done := make(chan struct{}), make(chan struct{})
		r.stop, r.done = stop, done
		r.mu.Unlock()
		defer close(done)
		// A renewal in flight finishes even if the message is given up.
		if !m.renewLoop(context.WithoutCancel(ctx), ctx.Done(), stop, key, token) {
			r.lost.Store(true)
		}
	})
	return r
}

// runRenewed runs the handler while renewing the lease held by token; the
// renewal stops when the handler returns or panics. lost reports that a
// renewal found the lease lost, which it logged and counted.
func (m *Middleware) runRenewed(ctx context.Context, msg *message.Message, h message.HandlerFunc, key Key,
	token string) (out []*message.Message, lost bool, err error) {
	r := m.startRenewal(ctx, key, token)
	defer r.halt()
	defer func() {
		if p := recover(); p != nil {
			// The claim is released so that the redelivery runs the handler
			// at once instead of waiting out the lease; the panic goes on to
			// the Recover middleware or the router.
			r.halt()
			_ = m.release(ctx, key, token)
			panic(p)
		}
	}()
	out, err = h(msg)
	r.halt()
	return out, r.lost.Load(), err
}

// halt stops the renewal and waits for an Extend in flight to return, so no
// renewal overlaps the completion or release that follows.
func (r *renewal) halt() {
	if r.timer == nil {
		return
	}
	r.timer.Stop()
	r.mu.Lock()
	if r.halted { // a second halt has nothing to stop
		r.mu.Unlock()
		return
	}
	r.halted = true
	stop, done := r.stop, r.done
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// renewLoop extends the lease now and then every RenewInterval until stop
// is closed, the lease is lost, or the message's context ends (given): a
// message the transport gave up on (released at shutdown, or whose consumer
// is being torn down) is no longer renewed, so its lease lapses and a hung
// handler cannot hold it forever. A lost lease is logged and counted; the
// handler keeps running and its completion reports ErrLeaseLost. Other
// failures are logged, counted as store errors and retried at the next
// tick. It returns false when the lease was lost.
func (m *Middleware) renewLoop(ctx context.Context, given <-chan struct{}, stop <-chan struct{}, key Key, token string) bool {
	t := time.NewTicker(m.cfg.RenewInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return true
		case <-given:
			return true
		default:
		}
		if !m.extend(ctx, key, token) {
			return false
		}
		select {
		case <-stop:
			return true
		case <-given:
			return true
		case <-t.C:
		}
	}
}

// extend renews the lease once; false when the lease is lost.
func (m *Middleware) extend(ctx context.Context, key Key, token string) bool {
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
		return false
	default:
		m.c.storeErrors.Add(1)
		m.cfg.Logger.Error("Idempotency lease renewal failed", err, fields)
	}
	return true
}
