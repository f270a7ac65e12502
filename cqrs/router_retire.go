package cqrs

import (
	"context"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"
)

// retiringSubscriber is the subscriber of a handler in ServiceConfig.Router:
// once the service closed, Subscribe returns an ended subscription, so a
// handler left unstarted by a failed Start stops as soon as it starts.
type retiringSubscriber struct {
	message.Subscriber
	retired *atomic.Bool
}

func (r retiringSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if r.retired.Load() {
		ch := make(chan *message.Message)
		close(ch)
		return ch, nil
	}
	return r.Subscriber.Subscribe(ctx, topic)
}

// retireUnstarted makes the handlers of a closing service that a failed
// Start left unstarted in the running ServiceConfig.Router leave it.
// Watermill cannot remove a handler, and the router's next RunHandlers
// (another service's Start) would run it again, and its Close would wait
// for it: started on an ended subscription, it stops at once and leaves
// the router. RunHandlers starts every handler the router holds unstarted,
// so one that other code added and was about to run starts now, as its own
// RunHandlers would have started it.
func (s *Service) retireUnstarted(handlers []*message.Handler) {
	s.retired.Store(true)
	router := s.cfg.Router
	if router == nil || !router.IsRunning() {
		return
	}
	for _, h := range handlers {
		select {
		case <-h.Started():
		default:
			_ = router.RunHandlers(context.Background())
			return
		}
	}
}
