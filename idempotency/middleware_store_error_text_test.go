package idempotency_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// closedOnSettle is a store that claims, then refuses to complete or
// release as a closed store does.
type closedOnSettle struct{ *idempotency.MemoryStore }

func (closedOnSettle) Complete(context.Context, idempotency.Key, string, time.Duration) error {
	return idempotency.ErrClosed
}

func (closedOnSettle) Release(context.Context, idempotency.Key, string) error {
	return idempotency.ErrClosed
}

// A store's error carrying one of idempotency's sentinels names the package
// once: "idempotency: claim c/m: store closed", not "idempotency: claim
// c/m: idempotency: store closed"; errors.Is still reaches the sentinel.
func TestMiddlewareStoreErrorNamesThePackageOnce(t *testing.T) {
	closed := func(t *testing.T) idempotency.Store {
		s := newMemoryStore(t, idempotency.MemoryStoreConfig{})
		require.NoError(t, s.Close())
		return s
	}
	settle := func(t *testing.T) idempotency.Store {
		return closedOnSettle{newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	}
	failing := func(*message.Message) ([]*message.Message, error) { return nil, errors.New("handler failed") }
	ok := func(*message.Message) ([]*message.Message, error) { return nil, nil }
	for name, tc := range map[string]struct {
		store func(*testing.T) idempotency.Store
		h     message.HandlerFunc
		want  string
	}{
		"claim":    {closed, ok, "idempotency: claim c/0::m-1: store closed"},
		"complete": {settle, ok, "idempotency: complete c/0::m-1: store closed"},
		"release":  {settle, failing, "idempotency: release c/0::m-1: store closed"},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMiddleware(t, tc.store(t), idempotency.MiddlewareConfig{Consumer: "c"})
			_, err := m.Middleware(tc.h)(sfMessage("m-1", "p"))
			require.ErrorIs(t, err, idempotency.ErrClosed, "%v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), "idempotency:"), "%q", err)
		})
	}
}
