package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Transport is a cqrs.Transport that puts a transactional outbox in front
// of another one. A message whose context carries a transaction on
// Config.DB is written into the outbox inside that transaction, and the
// forwarder publishes it to the inner transport once the transaction has
// committed; a message sent outside such a transaction is published straight
// to the inner transport. Services subscribe through the inner transport.
type Transport struct {
	cfg     Config
	backoff backoff
	limit   sqldb.PacketLimit // the MySQL server's max_allowed_packet

	mu       sync.Mutex
	namedBy  string // the service whose name the Topic was derived from, "" when Config set it
	bound    bool
	closed   bool
	starting *startup      // the start under way, nil when none
	run      *forwarderRun // the running forwarder, nil when none
	legacy   *legacyWatch  // the watch of the earlier default outbox, nil when none

	// legacyTicks paces the watch of the earlier default outbox; nil:
	// every legacyCheckInterval.
	legacyTicks tickerFunc

	// stopping tracks the forwarders of starts whose context ended, which
	// stop in the background; Close waits for them.
	stopping sync.WaitGroup

	dead deadletter.Counts // the rows the forwarders dead-lettered, by destination

	// linkChecked is done once a start checked whether the connection to
	// the database crosses a network in clear text, and its check was not
	// cut short by its context's end.
	linkChecked sqldb.PlaintextOnce
}

var _ cqrs.Transport = (*Transport)(nil)

// New returns an outbox in front of cfg.Transport. It touches neither the
// database nor the inner transport: Bind does.
func New(cfg Config) (*Transport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Transport{cfg: cfg, backoff: defaultBackoff}, nil
}

// Bind binds the inner transport, then, the first time, creates the outbox
// tables (and the forwarders' offsets row) when they are missing and starts
// the forwarder (unless Config.DisableForwarder), returning once it runs.
// Once the tables are there, the first start checks whether the connection
// to the database crosses a network in clear text or in TLS that does not
// verify the server, and if so warns of it
// once (at Info on a logger without a Warn method), with what to set in the DSN (see the package
// documentation).
// When ctx ends first, Bind returns at once with ctx's error, naming what it
// was waiting for, and a later Bind starts again.
// When Config.Topic is empty, the first Bind names the outbox
// TopicFor(b.Service), and a Bind of another service fails with
// ErrInvalidConfig: its rows would go into the first service's outbox.
func (t *Transport) Bind(ctx context.Context, b sourceflow.Binding) error {
	if t.isClosed() {
		return ErrClosed
	}
	if err := t.nameTopic(b.Service); err != nil {
		return err
	}
	if err := t.cfg.Transport.Bind(ctx, b); err != nil {
		return err
	}
	return t.start(ctx)
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
	return &publisher{cfg: &t.cfg, topic: t.topic, direct: direct, limit: &t.limit}, nil
}

// Subscriber returns the inner transport's subscriber of destination.
func (t *Transport) Subscriber(destination string) (message.Subscriber, error) {
	return t.cfg.Transport.Subscriber(destination)
}

// PublishesInTransaction reports true: publishes join the transaction the
// message context carries.
func (t *Transport) PublishesInTransaction() bool { return true }

var _ cqrs.OutboxTransport = (*Transport)(nil)

// Close stops the forwarder (cancelling the context of the row it is
// forwarding and waiting up to 30s for its handling to end), then closes the
// inner transport. A Bind still starting the outbox is cancelled, and Close
// waits until it stopped what it started, its statements included, as it
// waits for the forwarder of a Bind whose context ended to stop: once Close
// returns, nothing of the outbox runs. The forwarder acknowledges the rows of
// a batch it read (up to 10) together, when the batch is done, so up to that
// many rows it already forwarded are forwarded again by the next forwarder,
// as after a crash; consumers' idempotency absorbs the repeats. Close then
// counts the rows the forwarder left (one count, within 5s and the 30s
// above) and warns, once, of any: they wait in the database for the next
// instance of the service, so a short-lived sender should wait for its
// outbox to be empty (Depths) before it closes. Close is idempotent.
func (t *Transport) Close() error {
	start := time.Now()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	run, starting, legacy := t.run, t.starting, t.legacy
	t.mu.Unlock()
	if starting != nil {
		starting.cancel()
		<-starting.done
	}
	if legacy != nil {
		legacy.stop()
	}
	var errs []error
	if run != nil {
		errs = append(errs, run.stop())
		t.warnLeft(start)
	}
	t.stopping.Wait()
	errs = append(errs, t.cfg.Transport.Close())
	return errors.Join(errs...)
}

func (t *Transport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}
