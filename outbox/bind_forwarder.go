package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/components/forwarder"
)

// forwarderRun is one run of the forwarder, on a context of its own: Bind's
// context bounds only its start, and cancelling the run's context aborts a
// subscription that hangs (whose statements run on it), which Close alone
// would wait for.
type forwarderRun struct {
	fwd    *forwarder.Forwarder
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error         // Run's error, once done is closed
}

// runForwarder runs fwd until stop.
func runForwarder(fwd *forwarder.Forwarder) *forwarderRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &forwarderRun{fwd: fwd, cancel: cancel, done: make(chan struct{})}
	// #nosec G118 -- the forwarder runs until stop, which cancels ctx.
	go func() {
		defer close(r.done)
		r.err = r.fwd.Run(ctx)
	}()
	return r
}

// startForwarder starts the forwarder and waits until it runs. When ctx ends
// first it returns at once, with ctx's error, and stops the forwarder in the
// background.
func startForwarder(ctx context.Context, cfg Config, schedule retrySchedule) (*forwarderRun, error) {
	fwd, err := newForwarder(cfg, schedule)
	if err != nil {
		return nil, err
	}
	r := runForwarder(fwd)
	select {
	case <-fwd.Running():
		return r, nil
	case <-r.done:
		return nil, fmt.Errorf("outbox: forwarder of %q stopped at start: %w", cfg.Topic, r.err)
	case <-ctx.Done():
		go func() { _ = r.stop() }()
		return nil, fmt.Errorf("outbox: waiting for the forwarder of %q to subscribe to it: %w", cfg.Topic, ctx.Err())
	}
}

// stop closes a running forwarder, waiting (up to its close timeout, 30s)
// for the row it is forwarding, and waits until Run returned. A forwarder
// still subscribing is aborted instead: the router's Close would wait for the
// subscription, then for a handler that never ran.
func (r *forwarderRun) stop() error {
	select {
	case <-r.fwd.Running():
	default:
		r.cancel()
		select {
		case <-r.done:
			return nil // it never ran; the failed start was reported
		case <-r.fwd.Running():
		}
	}
	err := r.fwd.Close()
	r.cancel()
	<-r.done
	return errors.Join(err, r.err)
}
