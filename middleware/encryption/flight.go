package encryption

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// errAbandoned is what waiters get when the shared call panicked.
var errAbandoned = errors.New("shared KMS call did not complete")

// sharedCallTimeout bounds a shared call, which no caller's context ends.
const sharedCallTimeout = 30 * time.Second

// flight makes concurrent callers with the same key share one execution of
// a function (a minimal single-flight). The call runs on its own, on the
// first caller's context values without its cancellation and within
// sharedCallTimeout, so that no caller giving up fails the others: each
// caller, the first included, waits for it until its own context ends.
// A panic of the call is logged to logger, when set (see run).
type flight[V any] struct {
	logger watermill.LoggerAdapter

	mu    sync.Mutex
	calls map[string]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (f *flight[V]) do(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	c, ok := f.calls[key]
	if !ok {
		if f.calls == nil {
			f.calls = make(map[string]*flightCall[V])
		}
		c = &flightCall[V]{done: make(chan struct{}), err: errAbandoned}
		f.calls[key] = c
		go f.run(ctx, key, c, fn)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		var zero V
		return zero, fmt.Errorf("%w: waiting for a shared call: %w", ErrKMS, ctx.Err())
	}
}

// run runs the shared call and hands its result to the waiters. A panic of
// fn is their error (errAbandoned, a transient KMS failure, so their
// messages are tried again, over a *ClientPanicError: one line, the stack
// in its field), not the process's end. The panic is logged once, with its
// stack, however many callers share the call (see logClientPanic). A
// panic of the KMS client within fn is its error already (kmsCaller.call).
func (f *flight[V]) run(ctx context.Context, key string, c *flightCall[V], fn func(ctx context.Context) (V, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedCallTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			var zero V
			panicked := &ClientPanicError{Value: p, Stack: debug.Stack()}
			logClientPanic(f.logger, "shared call", panicked, 0)
			c.val, c.err = zero, fmt.Errorf("%w: %w: %w", ErrKMS, errAbandoned, panicked)
		}
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn(ctx)
}
