package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Complete implements idempotency.Store.
func (s *Store) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	if err := idempotency.CheckArgs(key, ttl); err != nil {
		return opErr("complete", key, err)
	}
	_, err := s.execHeld(ctx, "complete", key, s.q.complete, s.q.duration(ttl), key.Consumer, key.MessageID, token)
	return err
}

// Extend implements idempotency.Store: one UPDATE of the in-progress row
// held by token, its new expiry computed by the database clock.
func (s *Store) Extend(ctx context.Context, key idempotency.Key, token string, lease time.Duration) error {
	if err := idempotency.CheckArgs(key, lease); err != nil {
		return opErr("extend", key, err)
	}
	ex, err := s.execHeld(ctx, "extend", key, s.q.extend, s.q.duration(lease), key.Consumer, key.MessageID, token)
	if s.cfg.Dialect != sourceflow.MySQL || !errors.Is(err, idempotency.ErrLeaseLost) {
		return err
	}
	// MySQL counts changed rows: an extension within the clock's resolution
	// of the previous one matches the row without changing it.
	var n int
	if qerr := ex.QueryRowContext(ctx, s.q.held, key.Consumer, key.MessageID, token).Scan(&n); qerr != nil {
		return opErr("extend", key, s.orClosed(qerr))
	}
	if n > 0 {
		return nil
	}
	return err
}

// Release implements idempotency.Store.
func (s *Store) Release(ctx context.Context, key idempotency.Key, token string) error {
	if err := key.Validate(); err != nil {
		return opErr("release", key, err)
	}
	_, err := s.execHeld(ctx, "release", key, s.q.release, key.Consumer, key.MessageID, token)
	return err
}

// execHeld runs query, a statement on key's row as long as the token among
// args holds it, in ctx's transaction on the store's database or outside
// one, and returns where it ran (for a read that follows) and op's error:
// idempotency.ErrLeaseLost when no row changed.
func (s *Store) execHeld(ctx context.Context, op string, key idempotency.Key, query string, args ...any) (sqldb.Executor, error) {
	ex, err := s.executor(ctx)
	if err != nil {
		return nil, opErr(op, key, err)
	}
	res, err := ex.ExecContext(ctx, query, args...)
	n, err := sqldb.RowsAffected(res, s.orClosed(err))
	switch {
	case err != nil:
		return ex, opErr(op, key, err)
	case n == 0:
		return ex, opErr(op, key, idempotency.ErrLeaseLost)
	}
	return ex, nil
}
