package idempotency

import (
	"context"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// completeAttempts bounds the Complete calls after a successful handler run.
// A completion that never lands leaves the claim in progress until its lease
// expires, and the redelivery then runs the handler again, so a transient
// store failure is worth a short retry. The retry runs even when the message
// context was cancelled: the work is done and should be recorded.
const completeAttempts = 3

// complete records the completion of the claim held by token. A completion
// that finds the lease lost (taken over after it ran out) is no store
// failure: another delivery may have run the handler too, so it is logged
// and counted as a lost lease, unless the renewal already did (reported).
func (m *Middleware) complete(ctx context.Context, key Key, token string, reported bool) error {
	var err error
	for attempt := range completeAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		err = m.completeOnce(ctx, key, token)
		// Inside a transaction a failed statement may abort it: no retry.
		if err == nil || errors.Is(err, ErrLeaseLost) || m.tx != nil {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrLeaseLost):
		if !reported && m.tx == nil { // runTx reports it in a transaction
			m.leaseLostAtCompletion(key, err)
		}
	default:
		m.c.storeErrors.Add(1)
	}
	return opError("complete", key, err)
}

// leaseLostAtCompletion logs and counts a completion refused because the
// lease was taken over.
func (m *Middleware) leaseLostAtCompletion(key Key, err error) {
	m.c.leasesLost.Add(1)
	m.cfg.Logger.Error("Idempotency lease lost before the completion; "+
		"a duplicate delivery may have run the handler too", err, watermill.LogFields{"key": key.String()})
}

// completeOnce records the completion, detached from ctx when ctx is
// cancelled, before the call or during it (then it is made again at once):
// the work is done and must be recorded. A detached call is bounded by
// ReleaseTimeout, so a store that does not answer cannot hold the handler
// for good. Detaching only then saves an allocation per message. In a
// transaction the call uses ctx as it is.
func (m *Middleware) completeOnce(ctx context.Context, key Key, token string) error {
	if m.tx != nil {
		return m.store.Complete(ctx, key, token, m.cfg.TTL)
	}
	if ctx.Err() == nil {
		err := m.store.Complete(ctx, key, token, m.cfg.TTL)
		if err == nil || ctx.Err() == nil {
			return err
		}
	}
	detached, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.ReleaseTimeout)
	defer cancel()
	return m.store.Complete(detached, key, token, m.cfg.TTL)
}
