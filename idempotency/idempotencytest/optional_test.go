package idempotencytest

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// bareStore is an idempotency.Store with none of the optional methods.
type bareStore struct{ idempotency.Store }

func TestOptionalReturnsTheMethodsInterface(t *testing.T) {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	c := optional[io.Closer](t, s, "Close")
	assert.Same(t, s, c)
	assert.Same(t, s, optional[idempotency.Looker](t, s, "Lookup"))
	require.NoError(t, c.Close())
}

// skipRecorder is a testing.TB that records Skipf and, as testing.T's,
// stops the goroutine there, so that the helper's skip is asserted without
// skipping a test of this suite.
type skipRecorder struct {
	testing.TB
	skipped string
}

func (r *skipRecorder) Helper() {}

func (r *skipRecorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestOptionalSkipsAStoreWithoutTheMethod(t *testing.T) {
	r := &skipRecorder{}
	reached := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		optional[idempotency.Looker](r, bareStore{}, "Lookup")
		reached = true
	}()
	<-done
	assert.Contains(t, r.skipped, "has no Lookup method", "a store without Lookup skips the test")
	assert.False(t, reached, "the test stops at the skip")
}
