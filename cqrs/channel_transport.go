package cqrs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// ChannelConfig configures a ChannelTransport.
type ChannelConfig struct {
	// MaxDeliveries is how many times a failing message is delivered before
	// it is dead-lettered. A permanent failure is dead-lettered at once. A
	// delivery that failed because the service's own store is unavailable
	// (sourceflow.ErrStoreUnavailable) does not count, for up to
	// StoreOutageWait, its pauses doubling from RedeliveryDelay to 10s; a
	// synchronous Publish waits through them.
	// Default: DefaultMaxDeliveries (8), as PubSubConfig's and sqlbus's.
	MaxDeliveries int
	// RedeliveryDelay is the pause before a failed message is delivered
	// again; a handler's error that hints a delay (sourceflow.RetryAfter)
	// sets that pause instead, at most MaxRedeliveryDelay. A synchronous Publish
	// (see Async) waits through the pauses and, like an ordered destination
	// with Async, holds back later messages to its destination meanwhile,
	// as any message being redelivered does: a handler hinting 5 minutes
	// holds its Send and destination for 35 minutes at the default
	// MaxDeliveries.
	// Close ends a pause at once. Default: 10ms, with no backoff: shorter
	// than PubSubConfig's DefaultRedeliveryDelay, which doubles from 100ms
	// to wait out a broker's or a database's transient failure: in process
	// no broker or network needs time to recover, and a synchronous Send
	// waits through every pause (70ms in all at the defaults).
	RedeliveryDelay time.Duration
	// MaxRedeliveryDelay caps the pause a handler's error hints. Tests set
	// it low (cqrstest.New sets it to 10ms) so that a handler hinting
	// minutes is dead-lettered in milliseconds. Default: 5 minutes, the cap
	// awsbus puts on a hint too.
	MaxRedeliveryDelay time.Duration
	// Async makes Publish return as soon as the message is handed over.
	// Default false: Publish returns once every subscriber has finished
	// with the message, which keeps each sender's messages in order and
	// makes a whole flow complete before Send returns. Gochannel publishes to
	// one destination one message at a time, so in this mode a message being
	// redelivered holds back later messages to its destination, and a
	// handler cannot wait on a publish whose delivery waits on it: a handler
	// publishing to the destination it consumes, or to one whose delivery
	// under way waits on it through the handlers and publishes between them
	// (a saga's command raising an event whose reaction sends a command back
	// to the saga's destination, a cycle of any length, however many of its
	// messages were handed over; or two flows crossing at once, a handler of
	// a publishing to b while a handler of b publishes to a), has that
	// publish queued, in order, and handed over without waiting. The handler
	// goes on and returns, so Send returns before such a follow-up is handled
	// (one whose turn comes after the transport closed is dead-lettered), and
	// the follow-up is delivered once the message holding its destination
	// was handled: a causation loop goes round one cycle at a time until
	// ServiceConfig.MaxHops dead-letters it, as on an asynchronous transport.
	// Such a cycle may pass through several synchronous ChannelTransports of
	// the process (a HybridTransport with commands on one and events on
	// another): the transports share what each handler waits on.
	//
	// A handler holding an entity's lock (a saga's command handler, a view's
	// projection) may send, itself or through the handlers of what it sends,
	// a message whose handling needs that same lock: a command its own saga
	// handles for the same entity through another destination, or an event
	// (raised with EventQueue.Raise) whose reaction sends one. The publish
	// waiting for such a message returns as soon as its handler waits for
	// the lock, as if the message had been handed over: the message is
	// handled once the lock's holder returned, after the Send that started
	// the flow may have returned, and what the holder and the handlers it
	// waits on publish to that destination meanwhile is queued behind it, in
	// order. Every other flow still completes before Send returns.
	//
	// That needs a handler to publish (Send, Raise) with its own context or
	// one derived from it: a publish with another context
	// (context.Background()) cannot be linked to its handler, so it waits
	// for good when the handling of its message needs a lock the handler
	// holds. Nor can two flows that cross through an entity's lock (a
	// handler holding an entity's lock publishing to a destination whose
	// delivery, from another Send, waits on a handler that needs that lock)
	// be told apart from a flow that merely waits: the transport follows
	// waits on destinations, not on locks, so such flows wait on each other
	// until a sender's context ends; set Async where they can meet. A
	// synchronous publish that has waited 30s logs so, once, through Logger
	// (naming the destination and the message), and keeps waiting.
	//
	// A synchronous publish waits no longer than its sender's context (the
	// one Send or Raise was given): once that ends, Publish returns an error
	// wrapping the context's, saying the message was handed over and may
	// still be handled. Its handling goes on as if the sender still waited,
	// redelivered and dead-lettered as any other's; nothing is dropped or
	// dead-lettered because the sender stopped waiting. On an ordered
	// destination a later publish waits its turn behind it: one publisher's
	// messages are still handled in the order it published them.
	//
	// With Async, what is published to an ordered destination (one whose
	// name ends in ".fifo") is queued and delivered in publish order, one
	// message at a time per destination (so across entities too, not only
	// per entity): a message being redelivered holds back the later ones of
	// its destination, and one that cannot be delivered when its turn
	// comes (the transport closed, or its command destination lost its
	// listener) is dead-lettered with the reason. Messages to any other
	// destination are delivered each on its own, concurrently, in no
	// particular order.
	//
	// Set Async too when handlers run in a handling transaction
	// (transactional idempotency), whether or not the service's stores join
	// it, or send in a transaction their stores join: the consumer's
	// transaction may wait for locks the publisher's holds until it commits
	// (on SQLite, the database's one writer, which the publisher's
	// idempotency record holds), so a service refuses such a publish with
	// ErrPublishInTransaction rather than wait.
	Async bool
	// MaxDeadLetters bounds the dead letters kept for DeadLetters; older ones
	// are dropped (DeadLetterCount still counts them). Default: 1000.
	MaxDeadLetters int
	// CloseTimeout bounds how long the handlers in flight when a
	// subscription ends (the service closes) keep a live context to finish
	// in. They always get one: 0 means the default. A message waiting
	// between runs of its handler (middleware.Retry's pause after a failed
	// run) has its context ended at once, ending the wait. A handler that
	// fails meanwhile is not delivered again (gochannel keeps nothing); its
	// message is dead-lettered with a reason saying it failed while its
	// subscription closed, and the handler's error; so is the message of a
	// handler still running when CloseTimeout runs out, which is abandoned.
	// Such a handler may yet finish while the router still waits for it and
	// apply its effect, so a dead letter saying "abandoned" may have been
	// handled: sending it again relies on the handler's idempotency. A
	// service's Close takes up to the larger of CloseTimeout and
	// ServiceConfig.CloseTimeout (30s by default): its router waits for the
	// handlers up to ServiceConfig.CloseTimeout, then closing its
	// subscribers waits for the handlers in flight until CloseTimeout after
	// the close began. Default: 20s.
	CloseTimeout time.Duration
	// Logger logs dead-lettered messages (never their payloads) and, at
	// error level, a synchronous publish still waiting after 30s (see
	// Async). Default: slog.Default() as it is when each line is logged,
	// with Watermill's Info lowered to slog's Debug (gochannel logs at Info
	// per message published to a destination nobody listens to), so at
	// slog's default level only errors pass; set watermill.NopLogger{} to
	// silence it.
	Logger watermill.LoggerAdapter
}

func (c *ChannelConfig) setDefaults() {
	c.MaxDeliveries = cmp.Or(c.MaxDeliveries, DefaultMaxDeliveries)
	c.RedeliveryDelay = cmp.Or(c.RedeliveryDelay, 10*time.Millisecond)
	c.MaxRedeliveryDelay = cmp.Or(c.MaxRedeliveryDelay, maxHintedPause)
	c.MaxDeadLetters = cmp.Or(c.MaxDeadLetters, 1000)
	c.CloseTimeout = cmp.Or(c.CloseTimeout, 20*time.Second)
	if c.Logger == nil {
		c.Logger = defaultLogger()
	}
}

// Validate reports every configuration problem at once. Zero fields stand
// for their defaults, so the zero ChannelConfig is valid.
func (c ChannelConfig) Validate() error {
	c.setDefaults()
	return errors.Join(
		fieldcheck.AtLeast("cqrs: ChannelConfig.MaxDeliveries", c.MaxDeliveries, 1),
		fieldcheck.NotNegative("cqrs: ChannelConfig.RedeliveryDelay", c.RedeliveryDelay),
		fieldcheck.NotNegative("cqrs: ChannelConfig.MaxRedeliveryDelay", c.MaxRedeliveryDelay),
		fieldcheck.AtLeast("cqrs: ChannelConfig.MaxDeadLetters", c.MaxDeadLetters, 1),
		fieldcheck.NotNegative("cqrs: ChannelConfig.CloseTimeout", c.CloseTimeout),
		fieldcheck.NotTypedNil("cqrs: ChannelConfig.Logger", c.Logger),
	)
}

// ChannelTransport is the in-process Transport, built on Watermill's
// gochannel pub/sub: every subscriber of a destination receives every
// message. It adds what gochannel lacks for a message bus: bounded
// redelivery with a dead-letter list instead of endless redelivery, and an
// error when a command is sent to a destination nobody listens to. Several
// services in one process may share one ChannelTransport.
//
// An event published to a destination with no subscription is dropped, as
// pub/sub drops what nobody subscribes to: a destination nobody listens to
// yet, or any more (its consumers closed), gets nothing. The exception is
// an event raised, with its handler's context or one derived from it, by a
// handler caught in a close: one draining as its service closes (see
// ChannelConfig.CloseTimeout), or, a handler of this transport, one whose
// message was last delivered to it before the destination lost its last
// subscription. Raised to a destination that had subscriptions and has
// none left (a saga's own view, closed with it), such an event is
// dead-lettered with the reason rather than lost: the handler's change is
// done.
//
// A message whose publish returned nil reaches every subscription of its
// destination that was in place when it was handed to gochannel, or is
// dead-lettered: gochannel drops a message a subscription has not yet
// received as the subscription, or the transport, closes, and the
// transport then keeps it as a dead letter, once for each subscription
// that missed it, with a reason saying its subscription closed before the
// message reached it. A message queued rather than published at once (what
// a handler publishes, on the synchronous transport, where waiting would
// wait on itself, and, with Async, what is published to an ordered destination; see
// ChannelConfig.Async) counts from its publish: each subscription in place
// when its Publish returned, or by its turn, receives it or has it
// dead-lettered. One whose turn
// fails (the transport closed, or its command destination lost its
// listener) before any of them dead-lettered it is instead dead-lettered
// once, with the failure. A queued command, which has one listener at a
// time, is settled at its turn instead: handled, or dead-lettered when its
// listener went away. A publish that returns an error dead-letters
// nothing.
//
// On a destination whose name ends in ".fifo", both modes deliver one
// message at a time and keep each publisher's messages in the order it
// published them (see ChannelConfig.Async), as the package's views and
// sagas expect of an ordered destination.
//
// Each destination has a gochannel pub/sub of its own: gochannel holds its
// subscriber lock while a synchronous publish waits for its subscribers, so
// with one for all, a subscription added or removed while a handler
// publishes further (a service starting or closing beside others) would
// wait for that lock, and the nested publish behind it, for good.
//
// The transport keeps what it learnt of each destination it has seen for
// its whole life, about 1 KB each: that pub/sub, the destination's kind
// (from Bind: a command sent to it with no listener is ErrNoListener) and
// whether it had subscriptions (an event a handler caught in a close
// raises to it is dead-lettered rather than dropped), also once its last
// subscription closed. A process that starts services on unbounded
// destination names (one per tenant) gives each group of them a transport
// of its own, closed with them.
type ChannelTransport struct {
	cfg ChannelConfig

	mu        sync.Mutex
	channels  map[string]*gochannel.GoChannel // by destination
	closed    bool
	kinds     map[string]sourceflow.Kind
	listeners map[string]int                   // subscriptions made or being made
	ready     map[string]int                   // subscriptions gochannel delivers to
	awaiting  map[string]map[*awaited]struct{} // what each ready subscription awaits, by destination
	tags      uint64                           // the last tag given a message handed to gochannel
	losses    atomic.Uint64                    // how many times a destination lost its last subscription
	lostAt    map[string]uint64                // losses when each destination last lost its last subscription
	dead      deadLetterList                   // bounded by MaxDeadLetters
	deadCount int
	deadBy    deadletter.Counts
	handovers map[string]*handover
	draining  sync.WaitGroup
	pending   map[string]int                          // messages published to a command destination, not yet received
	idle      map[string][]chan struct{}              // closed when a destination's pending count drops to 0
	holders   map[string]map[*handling]struct{}       // synchronous: the deliveries under way, by destination; guarded by waitsMu (see waitFor)
	stalls    map[string]map[*syncDelivery][]*keyLock // released deliveries by destination, with the locks they wait for
	stalled   chan struct{}                           // closed when a delivery is next released (see awaitInChain)
	turns     map[string]chan struct{}                // by ordered destination: closed when its last synchronous publish ended (see takeTurn)
	filters   channelFilters
	outages   *storeOutageLog // the deliveries that found the service's store unavailable
}

// DeadLetter is a message a transport gave up on: ChannelTransport keeps
// them in memory (DeadLetters), sqlbus and the outbox read them from their
// dead-letter tables.
type DeadLetter struct {
	// Destination is where the message was consumed from.
	Destination string
	// Message is a copy of the message, metadata included. ChannelTransport
	// keeps it with context.Background(), none of its publisher's context.
	Message *message.Message
	// Reason is the permanent failure, or the number of failed deliveries
	// and the last error.
	Reason string
	// Deliveries is how many times it was delivered; 0 where the transport
	// does not record it.
	Deliveries int
}

// NewChannelTransport returns an in-process transport.
func NewChannelTransport(cfg ChannelConfig) (*ChannelTransport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &ChannelTransport{
		cfg: cfg, channels: map[string]*gochannel.GoChannel{},
		kinds: map[string]sourceflow.Kind{}, listeners: map[string]int{}, ready: map[string]int{}, lostAt: map[string]uint64{},
		awaiting:  map[string]map[*awaited]struct{}{},
		handovers: map[string]*handover{}, pending: map[string]int{}, idle: map[string][]chan struct{}{},
		dead: deadLetterList{max: cfg.MaxDeadLetters}, outages: newStoreOutageLog(cfg.Logger),
	}, nil
}

// Bind records the kind of every destination of b, and widens the event
// type filter of b's service on each event destination it listens to with
// the types it handles there: a subscription drops an event of a type no
// service of its name on the transport handles, as an SNS filter policy
// would keep it out of the service's queue. A destination bound as a
// command destination by one service and an event destination by another is
// an error.
func (t *ChannelTransport) Bind(_ context.Context, b sourceflow.Binding) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.filters.widen(b)
	var errs []error
	for _, r := range b.Routes {
		if k, ok := t.kinds[r.Destination]; ok && k != r.Kind {
			errs = append(errs, fmt.Errorf("cqrs: destination %q is bound for %ss and %ss", r.Destination, k, r.Kind))
			continue
		}
		t.kinds[r.Destination] = r.Kind
	}
	return errors.Join(errs...)
}

// Publisher returns the publisher of destination.
func (t *ChannelTransport) Publisher(string) (message.Publisher, error) {
	return channelPublisher{t: t}, nil
}

// Subscriber returns a subscriber for destination.
func (t *ChannelTransport) Subscriber(string) (message.Subscriber, error) {
	return &channelSubscriber{t: t}, nil
}

// errChannelClosed is what a publish or subscribe after Close returns.
var errChannelClosed = errors.New("cqrs: ChannelTransport is closed")

// channel returns the gochannel pub/sub of destination, made on first use.
func (t *ChannelTransport) channel(destination string) (*gochannel.GoChannel, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.channelLocked(destination)
}

// channelLocked is channel; the caller holds mu.
func (t *ChannelTransport) channelLocked(destination string) (*gochannel.GoChannel, error) {
	if t.closed {
		return nil, errChannelClosed
	}
	ps := t.channels[destination]
	if ps == nil {
		ps = gochannel.NewGoChannel(gochannel.Config{
			OutputChannelBuffer:            64,
			BlockPublishUntilSubscriberAck: t.acksEach(destination),
			PreserveContext:                !t.cfg.Async, // carries a synchronous chain (see continueChain)
		}, t.cfg.Logger)
		t.channels[destination] = ps
	}
	return ps, nil
}

// Close closes the gochannel pub/subs and waits for queued hand-overs to
// end.
func (t *ChannelTransport) Close() error {
	t.mu.Lock()
	t.closed = true
	channels := t.channels
	t.channels = map[string]*gochannel.GoChannel{}
	t.mu.Unlock()
	var errs []error
	for _, ps := range channels {
		errs = append(errs, ps.Close())
	}
	t.draining.Wait()
	return errors.Join(errs...)
}

// DeadLetterCount returns how many messages were given up on in all.
func (t *ChannelTransport) DeadLetterCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.deadCount
}

// DeadLettersByDestination returns how many messages were given up on, by
// the destination each was consumed from (DeadLetter.Destination). The
// counts only grow, MaxDeadLetters bounds none of them, and they are safe
// to read concurrently; the metrics package exports them as
// sourceflow.message.dead_lettered (metrics.Config.DeadLetters).
func (t *ChannelTransport) DeadLettersByDestination() map[string]int64 {
	return t.deadBy.Snapshot()
}

// DeadLetters returns the most recent messages given up on, at most
// MaxDeadLetters, oldest first.
func (t *ChannelTransport) DeadLetters() []DeadLetter {
	return t.dead.snapshot()
}

// NotifyDeadLetters calls f with each message the transport gives up on
// from now on, as DeadLetters keeps it, in order, until stop is called;
// once stop returns f is called no more. It tells a test harness of every
// dead letter, one MaxDeadLetters dropped before the harness read
// DeadLetters included. f must return quickly and not call DeadLetters.
func (t *ChannelTransport) NotifyDeadLetters(f func(DeadLetter)) (stop func()) {
	return t.dead.notify(f)
}

func (t *ChannelTransport) deadLetter(dl DeadLetter) {
	t.cfg.Logger.Error("Message dead-lettered", errors.New(dl.Reason), deadLetterFields(dl.Destination, dl.Message, dl.Deliveries))
	t.dead.add(dl) // before it is counted: a count read shows it in the list
	t.deadBy.Add(dl.Destination)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.deadCount++
}

// listen records a new listener of dest before it subscribes; a second one
// on a command destination is refused, since both would handle every
// command.
func (t *ChannelTransport) listen(dest string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds[dest] == sourceflow.KindCommand && t.listeners[dest] > 0 {
		return fmt.Errorf("%w: %q", ErrSecondListener, dest)
	}
	t.listeners[dest]++
	return nil
}

// subscribed records that a listener of dest has its gochannel
// subscription: only then does a publish reach it (gochannel drops what
// it publishes to a topic nobody subscribes to), and await, in a, what is
// published from now on (see awaited).
func (t *ChannelTransport) subscribed(dest string, a *awaited) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready[dest]++
	t.awaitedLocked(dest, a)
}

// unlisten removes a listener of dest once its gochannel subscription
// ended or failed (see unready).
func (t *ChannelTransport) unlisten(dest string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.listeners[dest]--
}

// listened is ErrNoListener for a command destination with no subscription
// in place: a listener still subscribing would not receive the command.
// Once the transport closed it is errChannelClosed instead: the publisher
// is closed, whether or not the destination had listeners.
func (t *ChannelTransport) listened(dest string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.listenedLocked(dest)
}

// listenedLocked is listened; the caller holds mu.
func (t *ChannelTransport) listenedLocked(dest string) error {
	if t.kinds[dest] != sourceflow.KindCommand || t.ready[dest] > 0 {
		return nil
	}
	if t.closed {
		return errChannelClosed
	}
	return fmt.Errorf("%w: %q", ErrNoListener, dest)
}

type channelPublisher struct{ t *ChannelTransport }

// Publish publishes to the gochannel topic; a command destination nobody
// listens to is ErrNoListener rather than a silent drop, and any publish
// after the transport's Close fails with its closed error. A synchronous
// publish that waits long for its messages' handling logs a warning (see
// watchSyncPublish).
func (p channelPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.t.listened(topic); err != nil {
		return err
	}
	if p.t.cfg.Async {
		if orderedDestination(topic) {
			return p.t.handOver(topic, msgs)
		}
		return p.t.publishCounted(topic, msgs)
	}
	h := p.t.publisherOf(msgs)
	if !p.t.waitFor(h, topic) {
		return p.t.handOver(topic, msgs)
	}
	defer p.t.waited(h, topic)
	if chain := lockingChain(msgs); chain != nil {
		if p.t.stalledFor(topic, chain) {
			return p.t.handOver(topic, msgs)
		}
		defer p.t.watchSyncPublish(topic, msgs).stop()
		return p.t.publishInChain(topic, msgs, chain)
	}
	defer p.t.watchSyncPublish(topic, msgs).stop()
	return p.t.publishCountedWaiting(topic, msgs)
}

// Close does nothing: the publisher shares the transport's pub/sub.
func (channelPublisher) Close() error { return nil }
