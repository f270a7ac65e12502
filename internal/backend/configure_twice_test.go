package backend_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/backend"
)

// A ServiceConfig whose stores are already set is refused, naming the
// field, and left as it was: Configure would otherwise replace the user's
// store silently, or, on a second Configure, put a second outbox in front
// of the first.
func TestConfigure_RefusesAConfigWhoseStoresAreSet(t *testing.T) {
	cfg := memoryConfig(t)
	opened := 0
	cfg.Outbox = func(_ context.Context, service string, inner cqrs.Transport) (cqrs.Transport, error) {
		opened++
		return boxed{Transport: inner, name: service}, nil
	}
	b := backend.New(cfg)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inner.Close() })

	svc := cqrs.ServiceConfig{Name: "orders", Transport: inner}
	require.NoError(t, b.Configure(context.Background(), &svc))
	once := svc
	err = b.Configure(context.Background(), &svc)
	require.ErrorContains(t, err, "test: Configure: the stores are set already (ServiceConfig.CommandStore, ServiceConfig.EntityStore, ServiceConfig.ViewStore)")
	assert.Equal(t, once, svc, "a refused Configure changed the ServiceConfig")
	assert.Equal(t, 1, opened, "a refused Configure opened an outbox")

	own := cqrs.NewMemoryStore()
	mine := cqrs.ServiceConfig{Name: "orders", Transport: inner, ViewStore: own}
	err = b.Configure(context.Background(), &mine)
	require.ErrorContains(t, err, "test: Configure: the stores are set already (ServiceConfig.ViewStore)")
	assert.Same(t, own, mine.ViewStore)
	assert.Nil(t, mine.CommandStore)
	assert.Equal(t, inner, mine.Transport)
}
