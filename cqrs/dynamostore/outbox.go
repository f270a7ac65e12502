package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// Outbox is a transactional outbox on DynamoDB: a cqrs.OutboxTransport in
// front of another transport (awsbus, a ChannelTransport, any Watermill
// Pub/Sub through cqrs.PubSubTransport). A message whose context carries a
// transaction of the Store's client is written into the outbox table by
// that transaction's TransactWriteItems and published to the inner
// transport once the transaction committed; a message sent outside a
// transaction is published straight away, as without the outbox.
//
// With an Outbox as the service's transport, cqrs runs a saga's handling
// in the handling transaction (the entity store is a sourceflow.Transactor):
// a saga's new state, the events it raised and the idempotency completion
// are written together, or not at all. A command is stored with its
// sequence number, and its message written, by the command store's own
// transaction, which commits when Send returns: as on every store whose
// commands do not join the handling, a command a handler sends goes out
// even if the handling then fails, and the handler's re-run, sending the
// same command, sends it again with the same id (package cqrs, CommandBus).
//
// The instance that committed relays the messages right after the commit,
// in the order they were written, and then deletes them. What it could not
// relay (it crashed, or the inner transport failed) stays in the table, and
// every instance's sweep relays messages written more than RelayAfter ago,
// claiming each with a lease so that one instance relays it. Delivery is at
// least once: a message relayed twice keeps its id, which consumers'
// idempotency absorbs.
//
// Order is kept per destination: the messages of one transaction for one
// destination go out in the order they were written, by the relay after
// the commit and by the sweep (a transaction writes into one shard, which
// the sweep reads in order; a transient failure, or a message another
// instance holds, holds the shard's later messages for that destination
// only; a message dead-lettered is skipped, and the rest of its
// transaction goes out without it). Messages for different destinations
// (different queues and topics) have no order between them: the sweep
// relays a shard's messages for one destination while another waits. A
// transaction's messages go out before those of a transaction that began
// after its relay; the messages of concurrent transactions may interleave,
// and a message left to the sweep goes out after messages of later
// transactions that were relayed at their commit, so a FIFO consumer can
// see it late.
//
// A message the inner transport refuses for good (the publish, or the
// lookup of its publisher, fails with sourceflow.Permanent) stays in the
// table with the reason, moved out of its shard, in one TransactWriteItems
// and while the sweep's lease holds, to the shard's dead-letter partition
// (under the same sort key, so in order): the sweep's Query does not reach
// it, so dead letters cost the sweeps no reads. DeadLetters lists them,
// DeadLettersByDestination counts them for the metrics package, Redrive
// returns them to their shard, where the sweep sends them after the
// messages that went out meanwhile. A dead letter an earlier version kept
// in its shard (with a failure attribute) is listed and never relayed; the
// first sweep that reads it moves it to the dead-letter partition (lazily:
// until then, each sweep reads it, and DeadLetters finds it in the shard).
// An instance of an earlier version, during a rolling deploy, neither
// lists nor redrives the dead letters moved.
// A destination the inner transport has no publisher for is retried, as a
// transient failure, until it has had none on this instance for 15 minutes
// (destgrace.Grace): the instance that wrote the message knew the
// destination, so a rolling deploy that adds a route is under way, and an
// instance that knows it relays the message. Meanwhile it holds only its
// shard's messages for that destination. After that its messages are kept
// as dead letters too, so a destination no running version knows holds its
// messages for at most that long on each instance (the grace starts again
// on an instance that starts).
//
// The service's publisher decorators (metrics, circuit breakers, tracing,
// encryption) wrap the write into the outbox, not the relay: publish metrics
// count messages as they are written, and the relay's failures show in the
// log and in the messages left in the table.
type Outbox struct {
	cfg   OutboxConfig
	api   *dynamodb.Client
	table string
	retry *dynamo.Retry
	grace *destgrace.Clock

	mu     sync.Mutex
	pubs   map[string]message.Publisher
	bound  bool
	closed bool
	stop   chan struct{}
	done   chan struct{}

	// relays counts the relays after commit in progress, which Close waits
	// for; one starts only while closed is false, under mu.
	relays sync.WaitGroup
	// running is how many relays after commit are in progress, for Close's
	// log when it stops waiting for them.
	running atomic.Int64
	// relaysCancelled ends when Close stops waiting for the relays after
	// commit (cancelRelays): it ends their publishes' contexts too.
	relaysCancelled context.Context
	cancelRelays    context.CancelFunc
	// hung counts, by destination, the sweep publishes a sweep gave up on
	// that are still running (publishRunning); guarded by mu.
	hung map[string]int
	// skipped counts the messages the sweep skipped (SkippedMessages).
	skipped atomic.Int64
	// dead counts the messages kept as dead letters, by destination
	// (DeadLettersByDestination).
	dead deadletter.Counts
}

var _ cqrs.OutboxTransport = (*Outbox)(nil)

// ErrOutboxClosed is returned by Bind after Close.
var ErrOutboxClosed = errors.New("dynamostore: outbox is closed")

// NewOutbox provisions the outbox table of st (OutboxTable: <prefix>outbox)
// as st's Config.Provisioning says, with its tags, and returns an outbox
// in that table in front of cfg.Transport. Bind starts the sweep.
func NewOutbox(ctx context.Context, st *Store, cfg OutboxConfig) (*Outbox, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: outbox: %w", ErrInvalidConfig, err)
	}
	table := OutboxTable(st.cfg)
	if err := topology.ApplyTables(ctx, st.api, st.cfg.Provisioning, st.cfg.Tags, table); err != nil {
		return nil, fmt.Errorf("dynamostore: outbox: %w", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	return &Outbox{grace: destgrace.NewClock(nil),
		cfg: cfg, api: st.api, table: table.Name, retry: st.retry,
		pubs: map[string]message.Publisher{}, hung: map[string]int{},
		relaysCancelled: cancelled, cancelRelays: cancel,
	}, nil
}

// Bind binds the inner transport and, the first time, starts the sweep.
func (o *Outbox) Bind(ctx context.Context, b sourceflow.Binding) error {
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return ErrOutboxClosed
	}
	if err := o.cfg.Transport.Bind(ctx, b); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrOutboxClosed
	}
	if !o.bound {
		o.bound = true
		o.stop, o.done = make(chan struct{}), make(chan struct{})
		// #nosec G118 -- the sweep runs until Close; ctx bounds Bind only.
		go o.sweepEvery(o.stop, o.done)
	}
	return nil
}

// Publisher returns the publisher of destination: a message whose context
// carries a transaction of the Store's client is written into it; the
// others go to the inner transport's publisher of destination.
func (o *Outbox) Publisher(destination string) (message.Publisher, error) {
	direct, err := o.cfg.Transport.Publisher(destination)
	if err != nil {
		return nil, err
	}
	return &outboxPublisher{o: o, direct: direct}, nil
}

// Subscriber returns the inner transport's subscriber of destination.
func (o *Outbox) Subscriber(destination string) (message.Subscriber, error) {
	return o.cfg.Transport.Subscriber(destination)
}

// PublishesInTransaction reports true: publishes join the transaction the
// message context carries.
func (o *Outbox) PublishesInTransaction() bool { return true }

// Close stops the sweep, waiting for its relays in progress (their
// publishes cancelled) for at most dynamo.SettleTimeout, a publish that
// ignores its context being left running, and, for at most
// relayCloseTimeout, for the relays after commit in progress, then
// closes the inner transport. Relays still running then (a publish hangs)
// are logged and their publishes cancelled (their messages' contexts end),
// and Close waits for them for at most relayCancelTimeout more: what they
// did not publish stays in the table for the sweep (of another instance).
// A relay whose publish ignores its context is left running, with a
// goroutine of Close's waiting for it, and the inner transport closes
// under it. A transaction that commits once Close began leaves its
// messages to the sweep (of another instance). Close is idempotent.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	stop, done := o.stop, o.done
	o.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	o.waitRelays()
	return o.cfg.Transport.Close()
}

// relayCloseTimeout bounds how long Close waits for the relays after
// commit in progress before it cancels their publishes. A relay publishes
// with the handling's context, which need not end, so a publish the inner
// transport never returns from would otherwise hold Close, and the
// service's shutdown, for good.
const relayCloseTimeout = 30 * time.Second

// relayCancelTimeout bounds how long Close waits for the relays after
// commit it cancelled: a relay whose publish ends with its context then
// deletes what went out before it, for at most dynamo.SettleTimeout.
const relayCancelTimeout = dynamo.SettleTimeout

// waitRelays waits for the relays after commit in progress, for at most
// relayCloseTimeout; then it cancels their publishes and waits for at most
// relayCancelTimeout more, logging how many were still running each time
// it gave up.
func (o *Outbox) waitRelays() {
	done := make(chan struct{})
	go func() {
		o.relays.Wait()
		close(done)
	}()
	if waitFor(done, relayCloseTimeout) {
		return
	}
	running := o.running.Load()
	o.cfg.Logger.Error("outbox: Close stopped waiting for the relays after commit; cancelling their publishes",
		fmt.Errorf("dynamostore: outbox: %d relays after commit still running after %s", running, relayCloseTimeout),
		watermill.LogFields{"outbox": o.cfg.Name, "relays": running, "waited": relayCloseTimeout.String()})
	o.cancelRelays()
	if waitFor(done, relayCancelTimeout) {
		return
	}
	running = o.running.Load()
	o.cfg.Logger.Error("outbox: relays after commit still running once cancelled; closing the inner transport under them",
		fmt.Errorf("dynamostore: outbox: %d relays after commit still running %s after they were cancelled", running, relayCancelTimeout),
		watermill.LogFields{"outbox": o.cfg.Name, "relays": running, "waited": relayCancelTimeout.String()})
}

// waitFor reports whether done closed within d.
func waitFor(done <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}

// publisher returns the inner transport's publisher of destination, for
// relaying; the inner transport is asked without the outbox's lock held.
func (o *Outbox) publisher(destination string) (message.Publisher, error) {
	o.mu.Lock()
	pub, ok := o.pubs[destination]
	o.mu.Unlock()
	if ok {
		return pub, nil
	}
	pub, err := o.cfg.Transport.Publisher(destination)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if cached, ok := o.pubs[destination]; ok {
		return cached, nil
	}
	o.pubs[destination] = pub
	return pub, nil
}
