package cqrs

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// retirable is a subscriber of one of the service's handlers. Watermill
// counts a handler from the moment it is added, and a router whose Run
// failed before it subscribed some handlers waits for them for good (a
// goroutine and the router kept per failed Start). Once retired, Subscribe
// answers at once with a closed channel, so retire can start those
// handlers, which end at once, and the router closes. Likewise a handler
// that a closed service left in the caller's router (ServiceConfig.Router),
// which had not run it yet, ends at once when the router runs it; and a
// subscription the router was making as the service retired ends with it
// (its context ends).
type retirable struct {
	message.Subscriber
	mu      sync.Mutex
	retired bool
	ends    []context.CancelFunc // of the subscriptions made
	// running is closed by markRunning, which the handler's goroutine
	// calls as it builds the handler's middleware chain: after the router
	// set the handler's stop function and stopped channel.
	running     chan struct{}
	runningOnce sync.Once
	// wired is closed once the handler's middleware is added (wire): the
	// router starts a handler's goroutine, which builds its middleware
	// chain, only after its Subscribe answered, so a router run by its
	// owner while the service starts does not run the handler without it.
	wired    chan struct{}
	wireOnce sync.Once
}

func newRetirable(sub message.Subscriber) *retirable {
	return &retirable{Subscriber: sub, running: make(chan struct{}), wired: make(chan struct{})}
}

// wire lets Subscribe go on: the handler's middleware is in place.
func (r *retirable) wire() { r.wireOnce.Do(func() { close(r.wired) }) }

// markRunning is the handler's first middleware: building it marks the
// handler's goroutine as running.
func (r *retirable) markRunning(h message.HandlerFunc) message.HandlerFunc {
	r.runningOnce.Do(func() { close(r.running) })
	return h
}

// startedIn reports whether the router started h, once its goroutine runs
// (so that its Stop and Stopped may be called), or false when the router
// has not started it or ctx ended first.
func (r *retirable) startedIn(ctx context.Context, h *message.Handler) bool {
	select {
	case <-h.Started():
	default:
		return false
	}
	select {
	case <-r.running: // first, so that a ctx already ended does not hide it
		return true
	default:
	}
	select {
	case <-r.running:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *retirable) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ctx, end := context.WithCancel(ctx)
	r.mu.Lock()
	if r.retired {
		r.mu.Unlock()
		end()
		ch := make(chan *message.Message)
		close(ch)
		return ch, nil
	}
	r.ends = append(r.ends, end)
	r.mu.Unlock()
	select {
	case <-r.wired:
	case <-ctx.Done():
	}
	msgs, err := r.Subscriber.Subscribe(ctx, topic)
	if err != nil {
		end()
	}
	return msgs, err
}

// retire makes every later Subscribe answer at once with a closed channel,
// and ends the subscriptions made or being made.
func (r *retirable) retire() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retired = true
	for _, end := range r.ends {
		end()
	}
	r.ends = nil
}

// retire ends the handlers that router, whose Run failed, never started.
func retire(router *message.Router, subs []message.Subscriber) {
	for _, sub := range subs {
		if r, ok := sub.(*retirable); ok {
			r.retire()
		}
	}
	ended, end := context.WithCancel(context.Background())
	end()
	_ = router.RunHandlers(ended) // every Subscribe answers: it cannot fail
}
