package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// backoff is how long the forwarder waits before it reads a row again whose
// forward failed transiently: initial after the first failure, doubling
// with each failure in a row up to max. A forwarded row starts it over.
// After the first failure in a row is logged, the failures are logged at
// most every logEvery (failureLog).
type backoff struct {
	initial, max time.Duration
	logEvery     time.Duration
}

var defaultBackoff = backoff{initial: 100 * time.Millisecond, max: 5 * time.Second, logEvery: failureLogInterval}

// next is the wait after one that lasted prev (0: none yet).
func (b backoff) next(prev time.Duration) time.Duration {
	if prev <= 0 {
		return b.initial
	}
	return min(2*prev, b.max)
}

// pausingSubscriber is the forwarder's subscriber. It reads the outbox
// through a watermill-sql subscriber and hands the rows to the forwarder's
// router one at a time. When the router nacks a row (its forward failed
// transiently), it closes that subscriber instead of nacking the row: the
// poll's transaction then ends at once, committing the offsets of the rows
// forwarded before it and not the failed row's. It waits the next backoff
// outside any transaction, then reads on with a new subscriber, which
// starts at the failed row. A failing inner transport therefore holds a
// poll's transaction (and with it the forwarders' lock of the outbox) for
// one attempt, not for the whole backoff, and watermill-sql never delivers
// a nacked row again inside the poll that read it.
type pausingSubscriber struct {
	newSub  func() (message.Subscriber, error) // a new watermill-sql subscriber
	backoff backoff
	logger  watermill.LoggerAdapter

	closing   chan struct{}
	closeOnce sync.Once
	running   sync.WaitGroup // the goroutine of Subscribe

	mu      sync.Mutex
	closed  bool
	current message.Subscriber // the subscriber reading now, nil while waiting
}

// newPausingSubscriber returns a pausingSubscriber whose first subscriber
// is made at once, so a configuration newSub refuses fails here.
func newPausingSubscriber(newSub func() (message.Subscriber, error), b backoff, logger watermill.LoggerAdapter) (*pausingSubscriber, error) {
	first, err := newSub()
	if err != nil {
		return nil, err
	}
	return &pausingSubscriber{newSub: newSub, backoff: b, logger: logger, closing: make(chan struct{}), current: first}, nil
}

// Subscribe reads topic until ctx ends or Close. It runs no statement
// (forwarderOffsets), so it returns at once.
func (s *pausingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	in, err := s.subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(chan *message.Message)
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		defer close(out)
		s.run(ctx, topic, in, out)
	}()
	return out, nil
}

// run hands the rows of in to out and, after each transient failure, ends
// the poll, waits and subscribes again.
func (s *pausingSubscriber) run(ctx context.Context, topic string, in <-chan *message.Message, out chan<- *message.Message) {
	var wait time.Duration
	for s.forward(in, out, &wait) {
		for {
			s.closeCurrent()
			wait = s.backoff.next(wait)
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-s.closing:
				timer.Stop()
				return
			case <-ctx.Done():
				timer.Stop()
				return
			}
			var err error
			if in, err = s.subscribe(ctx, topic); err == nil {
				break
			}
			if s.isClosed() {
				return
			}
			s.logger.Error("outbox: subscribing the forwarder to the outbox again", err, watermill.LogFields{"topic": topic})
		}
	}
}

// forward hands the rows of in to out one at a time, each once the one
// before was acknowledged (which it acknowledges to in, and which starts
// the backoff over). It reports true when the router nacked a row, false
// when in was closed or Close was called.
func (s *pausingSubscriber) forward(in <-chan *message.Message, out chan<- *message.Message, wait *time.Duration) bool {
	for {
		var row *message.Message
		select {
		case r, ok := <-in:
			if !ok {
				return false
			}
			row = r
		case <-s.closing:
			return false
		}
		msg := row.Copy()
		msg.SetContext(row.Context()) // the poll's transaction, for dead letters
		select {
		case out <- msg:
		case <-row.Context().Done():
			continue // the poll let go of the row (its ack deadline)
		case <-s.closing:
			return false
		}
		select {
		case <-msg.Acked():
			row.Ack()
			*wait = 0
		case <-msg.Nacked():
			return true
		case <-s.closing:
			return false
		}
	}
}

// subscribe subscribes the current subscriber, or a new one, to topic.
func (s *pausingSubscriber) subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, wsql.ErrSubscriberClosed
	}
	if s.current == nil {
		sub, err := s.newSub()
		if err != nil {
			return nil, err
		}
		s.current = sub
	}
	in, err := s.current.Subscribe(ctx, topic)
	if err != nil {
		_ = s.current.Close()
		s.current = nil
		return nil, err
	}
	return in, nil
}

// closeCurrent closes the current subscriber, which ends its poll: the row
// it is waiting on is neither acknowledged nor delivered again.
func (s *pausingSubscriber) closeCurrent() {
	s.mu.Lock()
	sub := s.current
	s.current = nil
	s.mu.Unlock()
	if sub == nil {
		return
	}
	if err := sub.Close(); err != nil {
		s.logger.Error("outbox: closing the forwarder's subscriber", err, nil)
	}
}

func (s *pausingSubscriber) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close ends the subscription, its poll and its wait, and returns once its
// goroutine has.
func (s *pausingSubscriber) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	s.closed = true
	sub := s.current
	s.current = nil
	s.mu.Unlock()
	var err error
	if sub != nil {
		err = sub.Close()
	}
	s.running.Wait()
	return err
}
