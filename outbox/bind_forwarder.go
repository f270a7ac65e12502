package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// forwarderRun is one run of the forwarder, on a context of its own: Bind's
// context bounds only its start. Its subscription runs no statement
// (forwarderOffsets), so the router always comes to run: a Subscribe that
// failed or was cancelled would leave Watermill's router waiting forever
// for a handler that never started, and with it the subscriber.
type forwarderRun struct {
	fwd    *forwarder.Forwarder
	topic  string
	logger watermill.LoggerAdapter
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error         // Run's error, once done is closed

	loops sync.WaitGroup // the prune loop and the held rows' retry, which end with the run's context
}

// runForwarder runs fwd, the forwarder of cfg.Topic, and retry, the retry
// of its held rows, until stop.
func runForwarder(fwd *forwarder.Forwarder, retry *heldRetry, cfg Config) *forwarderRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &forwarderRun{fwd: fwd, topic: cfg.Topic, logger: cfg.Logger, cancel: cancel, done: make(chan struct{})}
	// #nosec G118 -- the forwarder runs until stop, which cancels ctx.
	go func() {
		defer close(r.done)
		r.err = r.fwd.Run(ctx)
	}()
	r.loops.Go(func() { retry.run(ctx) })
	if cfg.PruneInterval > 0 {
		r.loops.Go(func() {
			sqldb.PruneEvery(ctx, cfg.PruneInterval, cfg.DB, cfg.Dialect, cfg.Topic, cfg.Logger, "outbox")
		})
	}
	return r
}

// startForwarder starts the forwarder and waits until it runs. When ctx ends
// first it returns at once, with ctx's error, and stops the forwarder in the
// background, tracked by stopping (Close waits for it). Its dead letters
// are counted in dead.
func startForwarder(ctx context.Context, cfg Config, b backoff, dead *deadletter.Counts, stopping *sync.WaitGroup) (*forwarderRun, error) {
	rel := newRelay(cfg.Transport, cfg.Topic, cfg.RelayObservers, cfg.Logger)
	deadLetters := newDeadLetterPublisher(cfg, dead)
	log := newFailureLog(cfg.Logger, cfg.Topic, b.logEvery)
	fwd, err := newForwarder(cfg, b, rel, deadLetters, log)
	if err != nil {
		return nil, err
	}
	r := runForwarder(fwd, newHeldRetry(cfg, b, rel, deadLetters, log), cfg)
	select {
	case <-fwd.Running():
		return r, nil
	case <-r.done:
		r.cancel() // ends the loops, which no stop will end
		r.loops.Wait()
		return nil, fmt.Errorf("outbox: forwarder of %q stopped at start: %w", cfg.Topic, r.err)
	case <-ctx.Done():
		stopping.Add(1)
		go func() {
			defer stopping.Done()
			if err := r.stop(); err != nil {
				r.logger.Error("outbox: stopping the forwarder of a Bind whose context ended", err,
					watermill.LogFields{"topic": r.topic})
			}
		}()
		return nil, fmt.Errorf("outbox: waiting for the forwarder of %q to subscribe to it: %w", cfg.Topic, ctx.Err())
	}
}

// stop closes the forwarder, waiting (up to its close timeout, 30s) for the
// row it is forwarding, and waits until Run returned. A forwarder not yet
// running has its context cancelled first, which ends its subscription at
// once; it then runs (its Subscribe cannot fail) and is closed, or its Run
// already returned, whose error is logged: it was not reported. The prune
// loop and the held rows' retry end with the run's context; stop waits
// for them too.
func (r *forwarderRun) stop() error {
	defer r.loops.Wait() // every path below cancels the run's context first
	select {
	case <-r.fwd.Running():
	default:
		r.cancel()
		select {
		case <-r.done:
			if r.err != nil {
				r.logger.Error("outbox: the forwarder stopped before it ran", r.err, watermill.LogFields{"topic": r.topic})
			}
			return nil
		case <-r.fwd.Running():
		}
	}
	err := r.fwd.Close()
	r.cancel()
	<-r.done
	return errors.Join(err, r.err)
}
