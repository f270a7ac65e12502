package backend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/backend"
)

func TestCheck_PrefixesThePackageAndPassesNil(t *testing.T) {
	cfg := memoryConfig(t)
	errDown := errors.New("database down")
	var fail bool
	cfg.Check = func(context.Context) error {
		if fail {
			return errDown
		}
		return nil
	}
	b := backend.New(cfg)
	require.NoError(t, b.Check(context.Background()))
	fail = true
	err := b.Check(context.Background())
	require.ErrorIs(t, err, errDown)
	assert.EqualError(t, err, "test: check: database down")
}

func TestCheck_WithoutACheckIsUp(t *testing.T) {
	assert.NoError(t, backend.New(memoryConfig(t)).Check(context.Background()))
}

func TestCheck_ClosedReturnsErrClosedWithoutARequest(t *testing.T) {
	cfg := memoryConfig(t)
	calls := 0
	cfg.Check = func(context.Context) error { calls++; return nil }
	b := backend.New(cfg)
	require.NoError(t, b.Close())
	assert.ErrorIs(t, b.Check(context.Background()), errClosed)
	assert.Zero(t, calls, "a closed Backend checked its database")
}

func TestCheck_FailingBecauseOfACloseReturnsErrClosed(t *testing.T) {
	cfg := memoryConfig(t)
	var b *backend.Backend
	cfg.Check = func(context.Context) error {
		require.NoError(t, b.Close())
		return errors.New("sql: database is closed")
	}
	b = backend.New(cfg)
	assert.ErrorIs(t, b.Check(context.Background()), errClosed)
}
