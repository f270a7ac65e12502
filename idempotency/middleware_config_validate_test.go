package idempotency_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// MiddlewareConfig.Validate refuses what NewMiddleware refuses: a
// RenewInterval over half of the default Lease the zero Lease stands for.
func TestMiddlewareConfigValidateAgreesWithNewMiddleware(t *testing.T) {
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })

	cfg := idempotency.MiddlewareConfig{RenewInterval: 16 * time.Second}
	_, newErr := idempotency.NewMiddleware(store, cfg)
	require.ErrorContains(t, newErr, "RenewInterval: 16s, must be at most half of Lease (30s)")
	assert.ErrorContains(t, cfg.Validate(), "RenewInterval: 16s, must be at most half of Lease (30s)")

	require.NoError(t, idempotency.MiddlewareConfig{}.Validate())
	require.NoError(t, idempotency.MiddlewareConfig{RenewInterval: 5 * time.Second}.Validate())
}

// A store or logger variable declared but never assigned is refused by
// NewMiddleware, naming it, instead of panicking on the first message.
func TestNewMiddlewareRefusesTypedNils(t *testing.T) {
	var store *idempotency.MemoryStore
	_, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Logger: (*watermill.StdLoggerAdapter)(nil)})
	require.Error(t, err)
	assert.ErrorContains(t, err, "store: nil *idempotency.MemoryStore, must be set")
	assert.ErrorContains(t, err, "Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")
}
