package sqlstore

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// closedErr returns idempotency.ErrClosed, after what ("sqlstore:
// cleanup idem: store closed"), once Close was called, and nil before.
func (s *Store) closedErr(what string) error {
	if !s.closed.Load() {
		return nil
	}
	return errtext.Wrap(what, idempotencyPrefix, idempotency.ErrClosed)
}

// orClosed returns err, or, when Close was called meanwhile (the database
// closed under a running statement), idempotency.ErrClosed followed by err,
// so that errors.Is reaches both.
func (s *Store) orClosed(err error) error {
	if err == nil || !s.closed.Load() {
		return err
	}
	return fmt.Errorf("%w: %w", idempotency.ErrClosed, err)
}
