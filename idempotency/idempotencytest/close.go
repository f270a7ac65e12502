package idempotencytest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// testCloseRefusesLaterCalls: after Close, Claim, Complete, Extend,
// Release and, on an idempotency.Looker, Lookup fail with ErrClosed, and
// Close again returns nil.
func testCloseRefusesLaterCalls(t *testing.T, s idempotency.Store) {
	c := optional[io.Closer](t, s, "Close")
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")

	_, err := s.Claim(ctx, k, "h1", Long)
	assert.ErrorIs(t, err, idempotency.ErrClosed, "Claim")
	assert.ErrorIs(t, s.Complete(ctx, k, res.Token, Long), idempotency.ErrClosed, "Complete")
	assert.ErrorIs(t, s.Extend(ctx, k, res.Token, Long), idempotency.ErrClosed, "Extend")
	assert.ErrorIs(t, s.Release(ctx, k, res.Token), idempotency.ErrClosed, "Release")
	if l, ok := s.(idempotency.Looker); ok {
		_, err = l.Lookup(ctx, k, "h1")
		assert.ErrorIs(t, err, idempotency.ErrClosed, "Lookup")
	}
}

// testCallsRacingClose: claims made from several goroutines while Close
// runs work, or fail with ErrClosed and nothing else. Each goroutine claims
// until a claim fails, and a claim begun after Close returned must fail, so
// every goroutine ends with ErrClosed.
func testCallsRacingClose(t *testing.T, s idempotency.Store) {
	c := optional[io.Closer](t, s, "Close")
	const callers = 4
	var closed atomic.Bool // Close returned
	called, failed := make(chan struct{}, callers), make(chan error, callers)
	for caller := range callers {
		k := key(t, fmt.Sprintf("m%d", caller)) // Acquired once, then InProgress: the store does not grow
		go func() {
			for n := 0; ; n++ {
				after := closed.Load()
				_, err := s.Claim(context.Background(), k, "h1", Long)
				if n == 0 {
					called <- struct{}{}
				}
				if err == nil && after {
					err = errors.New("a claim begun after Close returned worked")
				}
				if err != nil {
					failed <- err
					return
				}
			}
		}()
	}
	for range callers {
		<-called
	}
	err := c.Close()
	closed.Store(true)
	require.NoError(t, err)
	for range callers {
		assert.ErrorIs(t, <-failed, idempotency.ErrClosed)
	}
}
