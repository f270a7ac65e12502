package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// Destinations whose names differ only in case are different
// destinations: each held row is relayed to its own, and neither holds the
// other's rows.
func TestHeldRowsOfDestinationsDifferingInCaseGoToTheirOwn(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, d.open(t), inner, 2, "Orders", "orders")
		inner.down.Store(false)

		outbox.NewHeldPass(cfg, nil)(context.Background())
		outbox.NewHeldPass(cfg, nil)(context.Background())

		assert.Equal(t, ids[:1], inner.received("Orders"), "Orders gets its own row only")
		assert.Equal(t, ids[1:], inner.received("orders"), "orders gets its own row only")
	})
}
