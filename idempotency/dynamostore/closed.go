package dynamostore

import (
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// Close makes the store refuse later calls of Claim, Complete, Extend,
// Release, Lookup and WithinTx with idempotency.ErrClosed, before any
// request, as the other idempotency stores do after their Close. A call
// already running finishes, and so does the release of a claim taken in a
// handling transaction that then does not commit. Close leaves the
// DynamoDB client, which is the caller's, untouched. Close is idempotent.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// closedErr returns idempotency.ErrClosed as the error of op on key
// ("idempotency/dynamostore: claim c/m: store closed") once Close was
// called, and nil before.
func (s *Store) closedErr(op string, key idempotency.Key) error {
	if !s.closed.Load() {
		return nil
	}
	return opErr(op, key, idempotency.ErrClosed)
}

// closedTxErr is closedErr for WithinTx, which has no key.
func (s *Store) closedTxErr() error {
	if !s.closed.Load() {
		return nil
	}
	return errtext.Wrap(errPrefix+"begin a transaction", idempotencyPrefix, idempotency.ErrClosed)
}
