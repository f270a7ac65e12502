package sqlstore

import (
	"context"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/periodic"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Stats are the counters of a Store's cleanup.
type Stats struct {
	// CleanupRuns counts cleanup runs (background and explicit).
	CleanupRuns uint64
	// CleanedRows counts expired rows deleted.
	CleanedRows uint64
	// CleanupErrors counts failed cleanup runs.
	CleanupErrors uint64
}

// Stats returns the cleanup counters.
func (s *Store) Stats() Stats {
	return Stats{CleanupRuns: s.runs.Load(), CleanedRows: s.cleaned.Load(), CleanupErrors: s.failures.Load()}
}

func (s *Store) cleanupLoop() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	periodic.Run(s.stop, s.cfg.CleanupInterval, func() {
		if _, err := s.Cleanup(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("Idempotency cleanup failed", err, watermill.LogFields{"table": s.cfg.Table})
		}
	})
}

// Cleanup deletes the completed rows whose TTL ended (by the database clock)
// and the in-progress rows whose lease ended more than
// idempotency.LapsedLeaseRetention ago, in batches of CleanupBatch, and returns how many it deleted. Every instance
// may run it; concurrent runs delete disjoint or already-deleted rows.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	what := "sqlstore: cleanup " + s.cfg.Table
	if err := s.closedErr(what); err != nil {
		return 0, err
	}
	var total int64
	defer func() {
		s.runs.Add(1)
		s.cleaned.Add(uint64(max(total, 0)))
	}()
	for {
		n, err := sqldb.RowsAffected(s.db.ExecContext(ctx, s.q.cleanup, s.cfg.CleanupBatch))
		if err != nil {
			s.failures.Add(1)
			return total, errtext.Wrap(what, idempotencyPrefix, s.orClosed(err))
		}
		total += n
		if n < int64(s.cfg.CleanupBatch) {
			return total, nil
		}
	}
}
