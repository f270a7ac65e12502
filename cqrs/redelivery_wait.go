package cqrs

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// handlerRuns follows the handler runs of one delivered copy of a message,
// so that a drain ends the copy's context while it waits between runs (a
// retrying middleware's pause: middleware.Retry, idempotency's TxRetry)
// and not while a run is under way: a handler running work keeps the
// drain's time to finish, and a wait to run it again ends at once, its
// message going back to the transport (see redelivery.drained).
type handlerRuns struct {
	mu       sync.Mutex
	running  int  // runs under way
	failed   bool // the last run that ended failed
	draining bool
	cancel   context.CancelFunc
	unwatch  func() bool // stops the drain's call of drain
}

type handlerRunsKey struct{}

// watchRuns gives m a context that ends, besides with its own, once
// drain ends while no run of m's handler is under way and the last one
// failed (see handlerRuns), and returns the watch; call its stop once m was
// acked or nacked. A drain that never ends (no drain, context.Background())
// watches nothing: the watch is nil, and its stop does nothing.
func watchRuns(m *message.Message, drain context.Context) *handlerRuns {
	if drain.Done() == nil {
		return nil
	}
	runs := &handlerRuns{}
	ctx, cancel := context.WithCancel(m.Context())
	runs.cancel = cancel
	m.SetContext(context.WithValue(ctx, handlerRunsKey{}, runs))
	runs.unwatch = context.AfterFunc(drain, runs.drain)
	return runs
}

// stop ends the copy's context and the watch of the drain; on a nil h it
// does nothing.
func (h *handlerRuns) stop() {
	if h == nil {
		return
	}
	h.unwatch()
	h.cancel()
}

// drain marks the subscription draining, and ends the context at once
// when the copy waits to run its handler again.
func (h *handlerRuns) drain() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.draining = true
	h.endIfWaiting()
}

// begin marks a handler run under way.
func (h *handlerRuns) begin() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running++
}

// end marks a run ended with err; a failed run while draining ends the
// context, as nothing is to run again.
func (h *handlerRuns) end(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running--
	h.failed = err != nil
	h.endIfWaiting()
}

func (h *handlerRuns) endIfWaiting() {
	if h.draining && h.running == 0 && h.failed {
		h.cancel()
	}
}

// markHandlerRun is the handler's innermost middleware: it tells the
// transport's handlerRuns, when the message's context carries one, when a
// run of the handler begins and ends.
func markHandlerRun(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		runs, _ := msg.Context().Value(handlerRunsKey{}).(*handlerRuns)
		if runs == nil {
			return h(msg)
		}
		runs.begin()
		out, err := h(msg)
		runs.end(err)
		return out, err
	}
}
