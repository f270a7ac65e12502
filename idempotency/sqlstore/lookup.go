package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

var _ idempotency.Looker = (*Store)(nil)

// Lookup implements idempotency.Looker: one SELECT of the live record,
// its expiry decided by the database clock, in the transaction carried by
// ctx, if any. A key no dialect stores (see Claim) is
// idempotency.ErrInvalidKey.
func (s *Store) Lookup(ctx context.Context, key idempotency.Key, payloadHash string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, opErr("lookup", key, err)
	}
	ex, err := s.executor(ctx)
	if err != nil {
		return false, opErr("lookup", key, err)
	}
	var status int
	var token, recorded string
	err = ex.QueryRowContext(ctx, s.q.lookup, key.Consumer, key.MessageID).Scan(&status, &token, &recorded)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, opErr("lookup", key, s.orClosed(err))
	}
	return status == 1 && (payloadHash == "" || recorded == "" || payloadHash == recorded), nil
}
