package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Transport is a cqrs.Transport that puts a transactional outbox in front
// of another one. A message whose context carries a transaction on
// Config.DB is written into the outbox inside that transaction, and the
// forwarder publishes it to the inner transport once the transaction has
// committed; a message sent outside such a transaction is published straight
// to the inner transport. Services subscribe through the inner transport.
type Transport struct {
	cfg   Config
	retry retrySchedule

	mu     sync.Mutex
	bound  bool
	closed bool
	fwd    *forwarder.Forwarder
	ended  func() error // waits until the forwarder ended and returns its error
}

var _ cqrs.Transport = (*Transport)(nil)

// New returns an outbox in front of cfg.Transport. It touches neither the
// database nor the inner transport: Bind does.
func New(cfg Config) (*Transport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Transport{cfg: cfg, retry: defaultRetry}, nil
}

// Bind binds the inner transport, then, the first time, creates the outbox
// tables when they are missing and starts the forwarder (unless
// Config.DisableForwarder), returning once it runs.
func (t *Transport) Bind(ctx context.Context, b sourceflow.Binding) error {
	if t.isClosed() {
		return ErrClosed
	}
	if err := t.cfg.Transport.Bind(ctx, b); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if t.bound {
		return nil
	}
	if err := initSchema(t.cfg); err != nil {
		return err
	}
	if !t.cfg.DisableForwarder {
		if err := t.startForwarder(ctx); err != nil {
			return err
		}
	}
	t.bound = true
	return nil
}

// startForwarder runs the forwarder until Close and waits until it runs.
func (t *Transport) startForwarder(ctx context.Context) error {
	fwd, err := newForwarder(t.cfg, t.retry)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	var runErr error
	// #nosec G118 -- the forwarder runs until Close; ctx bounds its start only.
	go func() {
		defer close(done)
		runErr = fwd.Run(context.Background())
	}()
	select {
	case <-fwd.Running():
	case <-done:
		return fmt.Errorf("outbox: forwarder of %q stopped at start: %w", t.cfg.Topic, runErr)
	case <-ctx.Done():
		err := fwd.Close()
		<-done
		return errors.Join(ctx.Err(), err)
	}
	t.fwd, t.ended = fwd, func() error { <-done; return runErr }
	return nil
}

// Publisher returns the publisher of destination: it writes messages whose
// context (msg.Context()) carries a transaction on Config.DB into the outbox
// in that transaction, and publishes the others with the inner transport's
// publisher of destination.
func (t *Transport) Publisher(destination string) (message.Publisher, error) {
	direct, err := t.cfg.Transport.Publisher(destination)
	if err != nil {
		return nil, err
	}
	return &publisher{cfg: &t.cfg, direct: direct}, nil
}

// Subscriber returns the inner transport's subscriber of destination.
func (t *Transport) Subscriber(destination string) (message.Subscriber, error) {
	return t.cfg.Transport.Subscriber(destination)
}

// PublishesInTransaction reports true: publishes join the transaction the
// message context carries.
func (t *Transport) PublishesInTransaction() bool { return true }

var _ cqrs.OutboxTransport = (*Transport)(nil)

// Close stops the forwarder, letting the row it is forwarding finish (up to
// 30s), then closes the inner transport. Close is idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	fwd, ended := t.fwd, t.ended
	t.mu.Unlock()
	var errs []error
	if fwd != nil {
		errs = append(errs, fwd.Close(), ended())
	}
	errs = append(errs, t.cfg.Transport.Close())
	return errors.Join(errs...)
}

func (t *Transport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}
