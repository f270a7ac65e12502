package cqrs

import (
	"context"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"
)

// retirable is a subscriber of one of the service's handlers. Watermill
// counts a handler from the moment it is added, and a router whose Run
// failed before it subscribed some handlers waits for them for good (a
// goroutine and the router kept per failed Start). Once retired, Subscribe
// answers at once with a closed channel, so retire can start those
// handlers, which end at once, and the router closes. Likewise a handler
// that a closed service left in the caller's router (ServiceConfig.Router),
// which had not run it yet, ends at once when the router runs it.
type retirable struct {
	message.Subscriber
	retired atomic.Bool
}

func (r *retirable) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if r.retired.Load() {
		ch := make(chan *message.Message)
		close(ch)
		return ch, nil
	}
	return r.Subscriber.Subscribe(ctx, topic)
}

// retire ends the handlers that router, whose Run failed, never started.
func retire(router *message.Router, subs []message.Subscriber) {
	for _, sub := range subs {
		if r, ok := sub.(*retirable); ok {
			r.retired.Store(true)
		}
	}
	ended, end := context.WithCancel(context.Background())
	end()
	_ = router.RunHandlers(ended) // every Subscribe answers: it cannot fail
}
