package cqrstest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// testCloseDrains: a handler blocks until released; the listening service
// is closed while a command is in that handler. Close refuses new sends at
// once but returns only after the handler finished, the handler's context
// stays live meanwhile (a handler using it, for a store or KMS, can finish
// its work), and the command is not lost: its effect is applied, by the
// closed instance or, after a restart, by a new one.
func testCloseDrains(t *testing.T, r *transportRun) {
	probeDest := r.h.Destination(t, sourceflow.KindEvent, false)
	b := newBlocker(r.h.Timeout)
	setup := r.listenAndSend(t, false, 1, b.handle, func(svc *cqrs.Service) error {
		return cqrs.RegisterEvent[probeEvt](svc, suiteProbe, probeDest)
	})
	first := setup.instances[0]
	sendErr := make(chan error, 1)
	go func() {
		_, err := cqrs.NewAggregate(setup.sender, "conformance").Send(context.Background(), r.entities(1)[0], suiteCmd{N: 1})
		sendErr <- err
	}()
	env := receive(t, r, b.inFlight, "the command reaches the handler")

	closed := make(chan closeResult, 1)
	go func() {
		err := first.Close()
		closed <- closeResult{err: err, finished: b.finished.Load()}
	}()
	r.waitFor(t, func() string { return refusesSends(first) })
	require.Never(t, b.ctxEnded.Load, ctxWatch, ctxWatch/20,
		"the handler's context ended when its service began to close: a handler in flight cannot finish its work")
	select {
	case res := <-closed:
		t.Fatalf("Close returned (%v) while a handler was still running", res.err)
	default:
	}
	close(b.release)
	res := receive(t, r, closed, "Close returns once the handler is released")
	require.NoError(t, res.err, "close the listening service")
	assert.EqualValues(t, 1, res.finished, "Close returned only after the handler in flight finished")

	r.start(t, setup.listener, 1)
	r.waitApplied(t, setup.listener, []cqrs.Envelope{env})
	assert.NoError(t, receive(t, r, sendErr, "Send returns"), "send the command")
}

// ctxWatch is how long testCloseDrains watches the context of the handler
// in flight once Close began.
const ctxWatch = 300 * time.Millisecond

// blocker is a command handler that blocks until released (or, should the
// release never come, until timeout).
type blocker struct {
	timeout  time.Duration
	release  chan struct{}
	inFlight chan cqrs.Envelope // the first command that entered the handler
	finished atomic.Int32
	ctxEnded atomic.Bool // a handling's context ended while it was blocked
}

func newBlocker(timeout time.Duration) *blocker {
	return &blocker{timeout: timeout, release: make(chan struct{}), inFlight: make(chan cqrs.Envelope, 1)}
}

func (b *blocker) handle(ctx context.Context, s *appliedState, c suiteCmd, env cqrs.Envelope) ([]any, error) {
	select {
	case b.inFlight <- env:
	default:
	}
	defer context.AfterFunc(ctx, func() { b.ctxEnded.Store(true) })()
	timer := time.NewTimer(b.timeout)
	defer timer.Stop()
	select {
	case <-b.release:
	case <-timer.C:
		return nil, errors.New("conformance: the handler was never released")
	}
	b.finished.Add(1)
	return apply(ctx, s, c, env)
}

// closeResult is what Close returned and how many handlers had finished
// when it did.
type closeResult struct {
	err      error
	finished int32
}

// refusesSends returns "" once svc refuses a send from outside a handler,
// which it does from the start of Close.
func refusesSends(svc *cqrs.Service) string {
	_, err := svc.EventQueue().Raise(context.Background(), "probe", probeEvt{})
	switch {
	case errors.Is(err, cqrs.ErrNotStarted):
		return ""
	case err != nil:
		return fmt.Sprintf("probe send failed other than with ErrNotStarted: %v", err)
	}
	return "Close has not begun: the service still accepts sends"
}

// receive waits up to h.Timeout for a value from ch.
func receive[T any](t *testing.T, r *transportRun, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(r.h.Timeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("cqrstest: not within %s: %s", r.h.Timeout, what)
	}
	var zero T
	return zero
}
