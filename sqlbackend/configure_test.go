package sqlbackend_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

func TestConfigure_FillsEveryStoreField(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		b := d.open(t, sqlbackend.Config{})
		var cfg cqrs.ServiceConfig
		require.NoError(t, b.Configure(context.Background(), &cfg))
		assert.Empty(t, cqrstest.UnsetStores(cfg), "Configure left these ServiceConfig fields nil")
		assert.Same(t, b.Store().Commands(), cfg.CommandStore)
		assert.Same(t, b.Store().Entities(), cfg.EntityStore)
		assert.Same(t, b.Store().Views(), cfg.ViewStore)
		assert.Nil(t, cfg.Transport, "without Config.Outbox, Configure changed the transport")
	})
}

// outboxDialects are the dialects the outbox runs on.
var outboxDialects = dialects[1:]

func TestConfigure_PutsTheOutboxInFrontOfTheTransport(t *testing.T) {
	for _, d := range outboxDialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			b := d.open(t, sqlbackend.Config{Outbox: true})
			inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
			require.NoError(t, err)
			cfg := cqrs.ServiceConfig{Name: "billing", Transport: inner}
			require.NoError(t, b.Configure(context.Background(), &cfg))
			require.Implements(t, (*cqrs.OutboxTransport)(nil), cfg.Transport)
			box, ok := cfg.Transport.(interface {
				Inner() cqrs.Transport
				DeadLettersByDestination() map[string]int64
			})
			require.True(t, ok, "the outbox's methods are not there")
			assert.Same(t, inner, box.Inner())
			require.NoError(t, b.Close())
			assertClosed(t, inner)
		})
	}
}

func TestConfigure_AfterCloseIsErrClosed(t *testing.T) {
	b := dialects[0].open(t, sqlbackend.Config{})
	require.NoError(t, b.Close())
	var cfg cqrs.ServiceConfig
	assert.ErrorIs(t, b.Configure(context.Background(), &cfg), sqlbackend.ErrClosed)
	_, err := b.Idempotency(idempotency.MiddlewareConfig{})
	assert.ErrorIs(t, err, sqlbackend.ErrClosed)
	assert.NoError(t, b.Close(), "a second Close")
}
