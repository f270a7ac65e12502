package backend

import (
	"context"
	"fmt"
)

// Check runs Config.Check: nil when the database answers and holds the
// stores' tables, else its error prefixed with the package. A closed
// Backend returns ErrClosed without a request, and so does a Check that
// failed because Close ran meanwhile (the pool it used is closed).
func (b *Backend) Check(ctx context.Context) error {
	if b.isClosed() {
		return b.cfg.ErrClosed
	}
	if b.cfg.Check == nil {
		return nil
	}
	err := b.cfg.Check(ctx)
	if err == nil {
		return nil
	}
	if b.isClosed() {
		return b.cfg.ErrClosed
	}
	return fmt.Errorf("%s: check: %w", b.cfg.Package, err)
}

func (b *Backend) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}
