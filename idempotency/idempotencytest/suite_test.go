package idempotencytest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/idempotencytest"
)

func newMemoryStore(t *testing.T) idempotency.Store {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestRunMemoryStore(t *testing.T) {
	idempotencytest.Run(t, newMemoryStore)
}

func ExampleRun() {
	// In a _test.go file of the package that implements a store:
	_ = func(t *testing.T) {
		idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
			return newMemoryStore(t) // return a fresh, empty store
		})
	}
}
