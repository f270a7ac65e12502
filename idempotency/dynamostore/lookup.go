package dynamostore

import (
	"context"
	"errors"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

var _ idempotency.Looker = (*Store)(nil)

// Lookup implements idempotency.Looker: one strongly consistent GetItem,
// read outside any handling transaction, the record's expiry compared with
// Config.Clock as a claim compares it. A key part over MaxKeyLength is
// idempotency.ErrInvalidKey, before any request.
func (s *Store) Lookup(ctx context.Context, key idempotency.Key, payloadHash string) (bool, error) {
	if err := key.Validate(); err != nil {
		return false, opErr("lookup", key, err)
	}
	if err := checkKeyLength(key); err != nil {
		return false, opErr("lookup", key, err)
	}
	if err := s.closedErr("lookup", key); err != nil {
		return false, err
	}
	rec, err := s.read(ctx, key)
	if err != nil {
		return false, opErr("lookup", key, err)
	}
	res, live, err := s.liveResult(rec, payloadHash)
	if errors.Is(err, idempotency.ErrPayloadMismatch) {
		return false, nil // another message's record
	}
	return live && res.Status == idempotency.Completed, nil
}
