package awsbus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	// SQS receives, deletes and dead-letters messages. Required.
	SQS SQSAPI
	// Resolve maps a destination name to its AWS resources; the subscriber
	// reads Endpoint.QueueURL (for an event destination, the service's own
	// event queue), Endpoint.DLQURL and Endpoint.MaxReceiveCount. Required.
	Resolve func(destination string) (topology.Endpoint, error)
	// ConsumerConfig holds the consumer settings, with their defaults.
	ConsumerConfig
	// ReceiveErrorBackoff is the pause after a failed ReceiveMessage. It
	// doubles with every failure in a row up to ReceiveErrorMaxBackoff, each
	// pause drawn at random between half and all of it, and starts over
	// after a successful receive, so a poller waits out an outage instead of
	// spinning. Default 100ms.
	ReceiveErrorBackoff time.Duration
	// ReceiveErrorMaxBackoff caps that pause; at least ReceiveErrorBackoff.
	// Default 10s.
	ReceiveErrorMaxBackoff time.Duration
	// DeleteBatchDelay is how long an ack waits for others to share one
	// DeleteMessageBatch call. Default 20ms.
	DeleteBatchDelay time.Duration
	// Logger defaults to watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *SubscriberConfig) setDefaults() {
	c.ConsumerConfig.setDefaults()
	c.ReceiveErrorBackoff = cmp.Or(c.ReceiveErrorBackoff, DefaultReceiveErrorBackoff)
	c.ReceiveErrorMaxBackoff = cmp.Or(c.ReceiveErrorMaxBackoff, max(DefaultReceiveErrorMaxBackoff, c.ReceiveErrorBackoff))
	c.DeleteBatchDelay = cmp.Or(c.DeleteBatchDelay, 20*time.Millisecond)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field, wrapped in ErrInvalidConfig, each
// named as PublisherConfig's are ("SubscriberConfig.SQS is required").
func (c SubscriberConfig) Validate() error {
	problems := append(c.ConsumerConfig.fieldProblems(), fieldcheck.Set("SQS", c.SQS), fieldcheck.NotTypedNil("Logger", c.Logger),
		fieldcheck.Required("Resolve", c.Resolve != nil))
	d := c // zero backoff fields stand for their defaults
	d.setDefaults()
	problems = append(problems, fieldcheck.NotNegative("ReceiveErrorBackoff", d.ReceiveErrorBackoff))
	if d.ReceiveErrorMaxBackoff < d.ReceiveErrorBackoff {
		problems = append(problems, fmt.Errorf("ReceiveErrorMaxBackoff: %v, must be at least SubscriberConfig.ReceiveErrorBackoff (%v)", d.ReceiveErrorMaxBackoff, d.ReceiveErrorBackoff))
	}
	var errs []error
	for _, err := range problems {
		if err != nil {
			errs = append(errs, fmt.Errorf("SubscriberConfig.%w", err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return nil
}

// Subscriber consumes SQS queues as Watermill messages. See doc.go for the
// delivery semantics.
type Subscriber struct {
	cfg     SubscriberConfig
	dead    *deadletter.Counts // shared with the Transport that made it
	closing chan struct{}
	once    sync.Once
	mu      sync.Mutex
	closed  bool
	wg      sync.WaitGroup
}

var _ message.Subscriber = (*Subscriber)(nil)

// NewSubscriber returns a Subscriber.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Subscriber{cfg: cfg, dead: new(deadletter.Counts), closing: make(chan struct{})}, nil
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

// Close stops every subscription, waits up to ShutdownTimeout for
// handed-out messages and for the long poll under way (whose messages it
// releases at once), releases the rest and returns when every channel is
// closed. See Shutdown in the package documentation for its bound.
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
