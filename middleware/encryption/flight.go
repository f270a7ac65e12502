package encryption

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// errAbandoned is what waiters get when the shared call panicked.
var errAbandoned = errors.New("shared KMS call did not complete")

// flight makes concurrent callers with the same key share one execution of
// a function (a minimal single-flight). Waiters give up when their own
// context ends; the running call continues for the others.
type flight[V any] struct {
	mu    sync.Mutex
	calls map[string]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (f *flight[V]) do(ctx context.Context, key string, fn func() (V, error)) (V, error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err
		case <-ctx.Done():
			var zero V
			return zero, fmt.Errorf("%w: waiting for a shared call: %w", ErrKMS, ctx.Err())
		}
	}
	if f.calls == nil {
		f.calls = make(map[string]*flightCall[V])
	}
	c := &flightCall[V]{done: make(chan struct{}), err: errAbandoned}
	f.calls[key] = c
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
	return c.val, c.err
}
