package sqlbackend_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// storeFields names the fields of cqrs.ServiceConfig that hold a store:
// every field whose name ends in "Store", so that a store field added to
// ServiceConfig later is checked too.
func storeFields(t *testing.T) []string {
	t.Helper()
	var names []string
	for f := range reflect.TypeFor[cqrs.ServiceConfig]().Fields() {
		if strings.HasSuffix(f.Name, "Store") {
			names = append(names, f.Name)
		}
	}
	require.GreaterOrEqual(t, len(names), 3, "ServiceConfig's store fields were not found")
	return names
}

func TestConfigure_FillsEveryStoreField(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		b := d.open(t, sqlbackend.Config{})
		var cfg cqrs.ServiceConfig
		require.NoError(t, b.Configure(context.Background(), &cfg))
		v := reflect.ValueOf(cfg)
		for _, name := range storeFields(t) {
			assert.False(t, v.FieldByName(name).IsNil(), "Configure left ServiceConfig.%s nil", name)
		}
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
			inner := &recordingTransport{}
			cfg := cqrs.ServiceConfig{Name: "billing", Transport: inner}
			require.NoError(t, b.Configure(context.Background(), &cfg))
			assert.IsType(t, &outbox.Transport{}, cfg.Transport)
			require.NoError(t, b.Close())
			assert.True(t, inner.closed.Load(), "Close did not close the outbox, which closes the transport behind it")
		})
	}
}

func TestConfigure_RefusesTheOutboxWithoutTransport(t *testing.T) {
	d := outboxDialects[0]
	b := d.open(t, sqlbackend.Config{Outbox: true})
	cfg := cqrs.ServiceConfig{Name: "billing"}
	err := b.Configure(context.Background(), &cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ServiceConfig.Transport is required with Config.Outbox")
	assert.Nil(t, cfg.CommandStore, "a refused Configure changed the configuration")
	assert.Error(t, b.Configure(context.Background(), nil))
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
