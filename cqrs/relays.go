package cqrs

import (
	"context"
	"sync"
)

// relays are the running relays of one subscriber, each with the cancel
// function of its subscription. Once stopped they start no relay, so that
// none runs on after the subscriber's Close.
type relays struct {
	mu      sync.Mutex
	cancels []context.CancelFunc
	stopped bool
	wg      sync.WaitGroup
}

// start runs relay in its own goroutine; stop calls cancel. After stop it
// runs nothing and reports false.
func (r *relays) start(cancel context.CancelFunc, relay func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	r.cancels = append(r.cancels, cancel)
	r.wg.Go(relay)
	return true
}

// stop cancels every subscription started so far and refuses later ones.
func (r *relays) stop() {
	r.mu.Lock()
	cancels := r.cancels
	r.cancels, r.stopped = nil, true
	r.mu.Unlock()
	for _, c := range cancels {
		c()
	}
}

// wait waits until every relay ended.
func (r *relays) wait() { r.wg.Wait() }
