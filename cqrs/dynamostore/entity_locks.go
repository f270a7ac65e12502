package dynamostore

import (
	"context"
	"sync"
	"time"
)

// entityLockWait bounds how long a transaction waits for another
// transaction of the process that reserves numbers of the same entity.
// After it, the transaction goes on without the lock and relies on the
// counter's condition alone, so a wait can never deadlock (a handler that
// sends through a synchronous transport to a handler that sends to the same
// entity).
const entityLockWait = time.Second

// entityLocks lets one transaction of a process at a time reserve sequence
// numbers of an entity, as a row lock would: transactions of one process no
// longer race for a counter and fail one another's commits. Transactions of
// other processes still race, and the counter's condition decides.
type entityLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when released
}

// lock takes the entity's lock, waiting at most entityLockWait, and returns
// its release; ok is false when the wait ran out (or ctx ended) and nothing
// is held.
func (l *entityLocks) lock(ctx context.Context, entity string) (release func(), ok bool) {
	timer := time.NewTimer(entityLockWait)
	defer timer.Stop()
	for {
		l.mu.Lock()
		busy, taken := l.held[entity]
		if !taken {
			if l.held == nil {
				l.held = map[string]chan struct{}{}
			}
			done := make(chan struct{})
			l.held[entity] = done
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.held, entity)
				l.mu.Unlock()
				close(done)
			}, true
		}
		l.mu.Unlock()
		select {
		case <-busy:
		case <-timer.C:
			return nil, false
		case <-ctx.Done():
			return nil, false
		}
	}
}
