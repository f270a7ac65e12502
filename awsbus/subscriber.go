package awsbus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// maxVisibility is the SQS limit for a visibility timeout.
const maxVisibility = 12 * time.Hour

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	// SQS receives, deletes and dead-letters messages. Required.
	SQS SQSAPI
	// Resolve maps a destination name to its AWS resources; the subscriber
	// reads Endpoint.QueueURL (for an event destination, the service's own
	// event queue) and Endpoint.DLQURL. Required.
	Resolve func(destination string) (Endpoint, error)
	// MaxConcurrentCalls bounds the messages each Subscribe holds at once:
	// handed out and not yet acked, or received and waiting for their FIFO
	// group. Default 10.
	MaxConcurrentCalls int
	// WaitTime is the long-poll wait of ReceiveMessage, 0-20s, rounded up
	// to whole seconds. Default 20s.
	WaitTime time.Duration
	// VisibilityTimeout is requested on every receive and renewed by a
	// heartbeat while a handler runs longer than half of it. 1s-12h, rounded
	// up to whole seconds (SQS counts in seconds). Default 30s.
	VisibilityTimeout time.Duration
	// ShutdownTimeout is how long Close (or the end of the Subscribe context)
	// waits for handed-out messages to be acked before releasing them.
	// Default 10s.
	ShutdownTimeout time.Duration
	// NackBackoff is the visibility timeout set on a nacked message, so it is
	// redelivered after this delay (counting toward the queue's
	// maxReceiveCount). Rounded up to whole seconds, so any positive value
	// waits at least 1s. Default 1s; a negative value redelivers at once.
	NackBackoff time.Duration
	// ReceiveErrorBackoff is the pause after a failed ReceiveMessage.
	// Default 1s.
	ReceiveErrorBackoff time.Duration
	// DeleteBatchDelay is how long an ack waits for others to share one
	// DeleteMessageBatch call. Default 20ms.
	DeleteBatchDelay time.Duration
	// Logger defaults to watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *SubscriberConfig) setDefaults() {
	if c.MaxConcurrentCalls == 0 {
		c.MaxConcurrentCalls = 10
	}
	if c.WaitTime == 0 {
		c.WaitTime = 20 * time.Second
	}
	if c.VisibilityTimeout == 0 {
		c.VisibilityTimeout = 30 * time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.NackBackoff == 0 {
		c.NackBackoff = time.Second
	}
	if c.NackBackoff < 0 {
		c.NackBackoff = 0
	}
	c.WaitTime = ceilSecond(c.WaitTime)
	c.VisibilityTimeout = ceilSecond(c.VisibilityTimeout)
	c.NackBackoff = ceilSecond(c.NackBackoff)
	if c.ReceiveErrorBackoff == 0 {
		c.ReceiveErrorBackoff = time.Second
	}
	if c.DeleteBatchDelay == 0 {
		c.DeleteBatchDelay = 20 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// ceilSecond rounds a positive d up to whole seconds, the unit of SQS
// timeouts, so a sub-second value never silently becomes 0.
func ceilSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// Validate reports every invalid field.
func (c SubscriberConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: SubscriberConfig."+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	if c.SQS == nil {
		bad("SQS is required")
	}
	if c.Resolve == nil {
		bad("Resolve is required")
	}
	if c.MaxConcurrentCalls < 1 {
		bad("MaxConcurrentCalls must be at least 1, got %d", c.MaxConcurrentCalls)
	}
	if c.WaitTime < 0 || c.WaitTime > 20*time.Second {
		bad("WaitTime must be 0-20s, got %v", c.WaitTime)
	}
	if c.VisibilityTimeout < time.Second || c.VisibilityTimeout > maxVisibility {
		bad("VisibilityTimeout must be 1s-12h, got %v", c.VisibilityTimeout)
	}
	if c.NackBackoff > maxVisibility {
		bad("NackBackoff must be at most 12h, got %v", c.NackBackoff)
	}
	if c.ShutdownTimeout < 0 {
		bad("ShutdownTimeout must not be negative, got %v", c.ShutdownTimeout)
	}
	return errors.Join(errs...)
}

// Subscriber consumes SQS queues as Watermill messages. See doc.go for the
// delivery semantics.
type Subscriber struct {
	cfg     SubscriberConfig
	closing chan struct{}
	once    sync.Once
	mu      sync.Mutex
	closed  bool
	wg      sync.WaitGroup
}

var _ message.Subscriber = (*Subscriber)(nil)

// NewSubscriber returns a Subscriber.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Subscriber{cfg: cfg, closing: make(chan struct{})}, nil
}

// Subscribe starts consuming the queue of destination. The channel is
// closed after ctx ends or Close is called and every handed-out message was
// acked, nacked or released.
func (s *Subscriber) Subscribe(ctx context.Context, destination string) (<-chan *message.Message, error) {
	ep, err := s.cfg.Resolve(destination)
	if err != nil {
		return nil, fmt.Errorf("awsbus: resolve %q: %w", destination, err)
	}
	if ep.QueueURL == "" {
		return nil, fmt.Errorf("%w: destination %q has no queue URL", ErrInvalidConfig, destination)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrSubscriberClosed
	}
	sub := newSubscription(ctx, s, ep)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		sub.run()
	}()
	return sub.out, nil
}

// isClosed reports whether Close was called.
func (s *Subscriber) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops every subscription, waits for handed-out messages up to
// ShutdownTimeout, releases the rest and returns when every channel is
// closed.
func (s *Subscriber) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
	})
	s.wg.Wait()
	return nil
}
