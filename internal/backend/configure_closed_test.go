package backend_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/backend"
)

// A closed Backend refuses every Configure with ErrClosed, as its doc
// says, even one whose ServiceConfig it would refuse anyway: told only that
// the Transport is missing, or that the stores are set, a user who fixes
// that finds only then that the Backend cannot serve at all.
func TestConfigure_ClosedRefusesWithErrClosedFirst(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Outbox = func(_ context.Context, service string, inner cqrs.Transport) (cqrs.Transport, func() error, error) {
		return boxed{Transport: inner, name: service}, func() error { return nil }, nil
	}
	b := backend.New(cfg)
	require.NoError(t, b.Close())

	noTransport := cqrs.ServiceConfig{Name: "orders"}
	assert.ErrorIs(t, b.Configure(context.Background(), &noTransport), errClosed)
	storesSet := cqrs.ServiceConfig{Name: "orders", Transport: &cqrs.ChannelTransport{}, ViewStore: cqrs.NewMemoryStore()}
	assert.ErrorIs(t, b.Configure(context.Background(), &storesSet), errClosed)
	assert.Nil(t, noTransport.CommandStore, "a refused Configure changed the ServiceConfig")
}
