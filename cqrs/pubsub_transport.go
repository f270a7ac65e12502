package cqrs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Capabilities are the guarantees a Watermill Pub/Sub gives, as declared by
// whoever adapts it. A Binding that needs one the Pub/Sub lacks is refused
// at Bind (so at Service.Start), naming the destination and the capability.
type Capabilities struct {
	// ConsumerGroups: subscribers of one topic that share a group split its
	// messages, and every group receives every message. A service listens
	// through a group named after it, so its instances share the commands
	// and each subscribing service receives every event. Needed to listen.
	ConsumerGroups bool
	// Ordered: a group receives the messages of a topic in the order they
	// were published, the next one only after the previous was
	// acknowledged. Needed by destinations whose name ends in ".fifo", which
	// claim per-entity order.
	Ordered bool
}

// Defaults of PubSubConfig.
const (
	DefaultMaxDeliveries   = 8
	DefaultRedeliveryDelay = 100 * time.Millisecond
)

// PubSubConfig makes a Watermill Pub/Sub a Transport.
type PubSubConfig struct {
	// Publisher publishes every destination's messages. Required. The
	// transport's Close closes it: give the transports of several services
	// on one Pub/Sub a publisher each, or wrap a shared one so that its
	// Close is left to its last user. An error it returns marked
	// sourceflow.Permanent says the Pub/Sub refuses the message for good
	// (watermill-aws's SNS and SQS answer "InvalidParameter ... too long"):
	// the outbox dead-letters its row with that reason instead of retrying
	// it, and a handler that published it fails for good. Any other error
	// is taken as passing, and the outbox retries the row for as long as it
	// fails, the later rows of its destination waiting behind it.
	Publisher message.Publisher
	// MaxMessageBytes is the largest message the Pub/Sub accepts: a
	// message over it is refused before it is sent, with a
	// *sourceflow.SizeError (sourceflow.ErrMessageTooLarge) naming its
	// size, the limit and the destination, marked sourceflow.Permanent, so
	// the outbox dead-letters its row; nothing of that Publish is sent. A
	// message counts its payload plus the bytes of each metadata key and
	// value, as SNS and SQS count a body and its attributes; a Pub/Sub that
	// adds bytes of its own (watermill-aws: each attribute's data type, 6
	// bytes, and the UUID attribute) may still refuse a message within a
	// few hundred bytes of its limit, so have Publisher mark that refusal
	// permanent too. A dead letter is fitted to it, since one the Pub/Sub
	// refused would leave its message delivered again for ever, holding its
	// destination: where its handler failed (sourceflow.MetaFailedHost,
	// MetaFailedVersion) is dropped first, then its reasons
	// (sourceflow.MetaLastError, then MetaFailure) are cut to 256 bytes,
	// keeping their beginning and their end, and then to a note alone, each
	// saying it was cut; a message that leaves no room for even that (the
	// Pub/Sub took it under a larger limit) is dead-lettered without its
	// payload, and if its metadata alone leaves no room, without that too,
	// keeping the reason, the last error and the consumer group, the reason
	// saying what was left out and naming the limit. DeadLetters keeps the
	// message and its reason whole, and the log line names what was left
	// out (dead_letter_left_out). A dead letter the Pub/Sub still refuses
	// for good (its own bytes, within a few hundred of the limit, or
	// another refusal) is published once more without its payload (a note
	// in its place, as SNS and SQS refuse an empty body) and metadata, its
	// reasons cut to the notes saying so under a limit, and saying why the
	// Pub/Sub refused it; only if that is refused too does it stay
	// on its topic, so set the limit a few hundred bytes under the
	// Pub/Sub's. At least 1024 bytes, what a dead letter's markers need.
	// Default: 0, no limit.
	MaxMessageBytes int
	// Subscriber returns a subscriber of topic in consumer group group (the
	// service name). Required.
	Subscriber func(topic, group string) (message.Subscriber, error)
	// Topic maps a destination name to the Pub/Sub's topic name. Default:
	// the destination name.
	Topic func(destination string) string
	// DeadLetterTopic names the topic a destination's dead letters are
	// published to, each carrying its reason in sourceflow.MetaFailure.
	// Default: the topic of the destination followed by "-dlq" (before a
	// ".fifo" suffix, which is kept).
	DeadLetterTopic func(destination string) string
	// Capabilities declares what the Pub/Sub guarantees.
	Capabilities Capabilities
	// MaxDeliveries is how many times a failing message is delivered, in
	// process, before it is dead-lettered; a permanent failure is
	// dead-lettered at once, and a message held elsewhere
	// (sourceflow.ErrInProgress) is handed back to the Pub/Sub instead. A
	// message the Pub/Sub takes back before that (its message context ends:
	// watermill-sql's ack deadline passed) keeps its count: its next
	// delivery in this process goes on from there (up to 10,000 such
	// messages are remembered per subscription), so a handler that fails
	// only after the deadline is dead-lettered too; on each other instance
	// it reaches, it counts from one. A message past MaxDeliveries gets one
	// delivery more, and if the Pub/Sub takes it back again it is
	// dead-lettered without another. A delivery that failed because the
	// service's own store is unavailable (sourceflow.ErrStoreUnavailable: the
	// database refused the connection or did not answer) does not count, for
	// up to StoreOutageWait from the message's first such failure.
	// Default: DefaultMaxDeliveries (8).
	MaxDeliveries int
	// RedeliveryDelay is the pause before the second delivery of a failed
	// message; each next pause is twice as long, at most 10s, so the
	// defaults keep a failing message for about 13s (RedeliveryPauses).
	// A handler's error that hints a delay (sourceflow.RetryAfter, as the
	// encryption Decrypter's for a refused KMS key) sets that pause
	// instead, at most 5 minutes. The Pub/Sub's message is held meanwhile:
	// a Pub/Sub that hands a subscription one message at a time (gochannel,
	// and watermill-sql under sqlbus, for at most its AckDeadline) hands out
	// none of the destination's later messages to this consumer until then.
	// Close ends a pause at once. After a failure that found the store
	// unavailable the pauses double from RedeliveryDelay to 10s while it
	// lasts, up to StoreOutageWait (10 minutes), so a database failover does
	// not dead-letter the message. Default: DefaultRedeliveryDelay (100ms).
	RedeliveryDelay time.Duration
	// CloseTimeout bounds how long a subscriber's Close (or the end of its
	// subscription context) waits for the deliveries in flight to finish
	// before it abandons them to the Pub/Sub; 0 means the default. A
	// message waiting between runs of its handler (middleware.Retry's pause
	// after a failed run) has its context ended at once and is nacked back
	// to the Pub/Sub, so the wait does not hold Close. A service's Close
	// takes up to the larger of CloseTimeout and ServiceConfig.CloseTimeout
	// (30s by default), plus the few seconds the Pub/Sub takes to settle the
	// acks given meanwhile and to close its subscriber: its router waits for
	// the handlers up to ServiceConfig.CloseTimeout, then closing its
	// subscribers waits for the deliveries in flight until CloseTimeout
	// after the close began. Default: 20s.
	CloseTimeout time.Duration
	// TypeFilter keeps the event type filter of each consumer group, in
	// place of an SNS filter policy: Bind widens it (never narrows it) with
	// the types the service handles on each event destination it listens
	// to, and an event of a type the service does not handle is dropped
	// (acknowledged, counted by FilteredByDestination, logged at debug
	// level) when the filter does not hold its type either, since no
	// version of the service handles it; it is read again first, at most
	// once every TypeFilterReread, so a newer version that started is seen
	// by then (an event received within TypeFilterReread of the read before
	// its Start widened the filter may still be dropped: widen the store
	// ahead of a deploy to close that window), and a type an operator
	// removed from the filter is dropped from then on. An event of a type in the filter, which a newer version
	// handles, is retried as any type no handler takes (a rolling deploy),
	// and so is one whose filter could not be read. The store is shared by
	// every process of the service (the sqlbus package's is in its
	// database). Default: none, so every type a service does not handle is
	// retried until its last delivery and then dead-lettered, since a
	// store private to one process cannot tell what the service's other
	// versions handle. Listening needs Capabilities.ConsumerGroups, so the
	// filter is always a consumer group's.
	TypeFilter TypeFilterStore
	// Logger logs dead letters (never payloads). Default: slog.Default()
	// as it is when each line is logged, with Watermill's Info lowered to
	// slog's Debug, so at slog's default level only errors pass; set
	// watermill.NopLogger{} to silence it.
	Logger watermill.LoggerAdapter
}

func (c *PubSubConfig) setDefaults() {
	if c.Topic == nil {
		c.Topic = func(d string) string { return d }
	}
	if c.DeadLetterTopic == nil {
		topic := c.Topic
		c.DeadLetterTopic = func(d string) string {
			t := topic(d)
			if base, ok := strings.CutSuffix(t, ".fifo"); ok {
				return base + "-dlq.fifo"
			}
			return t + "-dlq"
		}
	}
	c.MaxDeliveries = cmp.Or(c.MaxDeliveries, DefaultMaxDeliveries)
	c.RedeliveryDelay = cmp.Or(c.RedeliveryDelay, DefaultRedeliveryDelay)
	c.CloseTimeout = cmp.Or(c.CloseTimeout, 20*time.Second)
	if c.Logger == nil {
		c.Logger = defaultLogger()
	}
}

// Validate reports every configuration problem at once. Zero fields other
// than the required ones stand for their defaults.
func (c PubSubConfig) Validate() error {
	c.setDefaults()
	return errors.Join(
		fieldcheck.Set("cqrs: PubSubConfig.Publisher", c.Publisher),
		fieldcheck.Required("cqrs: PubSubConfig.Subscriber", c.Subscriber != nil),
		fieldcheck.AtLeast("cqrs: PubSubConfig.MaxDeliveries", c.MaxDeliveries, 1),
		fieldcheck.NotNegative("cqrs: PubSubConfig.RedeliveryDelay", c.RedeliveryDelay),
		fieldcheck.NotNegative("cqrs: PubSubConfig.CloseTimeout", c.CloseTimeout),
		checkMaxMessageBytes(c.MaxMessageBytes),
		fieldcheck.NotTypedNil("cqrs: PubSubConfig.Logger", c.Logger),
		fieldcheck.NotTypedNil("cqrs: PubSubConfig.TypeFilter", c.TypeFilter),
	)
}

// minDeadLetterBytes is the least PubSubConfig.MaxMessageBytes a dead
// letter's markers, cut to the notes saying so, fit in.
const minDeadLetterBytes = 1 << 10

// checkMaxMessageBytes reports a PubSubConfig.MaxMessageBytes, other than
// 0 (no limit), that no dead letter fits.
func checkMaxMessageBytes(v int) error {
	if v == 0 {
		return nil
	}
	return fieldcheck.AtLeast("cqrs: "+maxMessageBytesName, v, minDeadLetterBytes)
}

// PubSubTransport carries a service's destinations over any Watermill
// Pub/Sub (watermill-sql, watermill-aws, ...): each destination is a topic,
// a service listens through a consumer group named after it, a failed
// message is redelivered in process a bounded number of times and then
// published, with its reason, to the destination's dead-letter topic. One
// PubSubTransport serves one service; give each service its own, on the same
// Pub/Sub. To mix transports per destination, wrap it in a HybridTransport.
type PubSubTransport struct {
	cfg PubSubConfig

	mu      sync.Mutex
	service string
	bound   bool
	dead    deadletter.Counts
	kept    deadLetterList // keptDeadLetters of them
	filters pubsubFilters
	outages *storeOutageLog // the deliveries that found the service's store unavailable
}

// NewPubSubTransport returns a transport over the Pub/Sub of cfg.
func NewPubSubTransport(cfg PubSubConfig) (*PubSubTransport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &PubSubTransport{cfg: cfg, outages: newStoreOutageLog(cfg.Logger)}, nil
}

// Bind checks that the Pub/Sub has every capability b needs, records the
// service name, which is the consumer group of its subscriptions, and
// widens the service's event type filters (PubSubConfig.TypeFilter): a
// store failure fails Bind, naming the topic.
func (t *PubSubTransport) Bind(ctx context.Context, b sourceflow.Binding) error {
	if err := t.bind(b); err != nil {
		return err
	}
	return t.widenFilters(ctx, b)
}

func (t *PubSubTransport) bind(b sourceflow.Binding) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bound && t.service != b.Service {
		return fmt.Errorf("cqrs: PubSubTransport is bound to service %q and cannot serve %q too; give each service its own", t.service, b.Service)
	}
	if err := t.cfg.Capabilities.check(b); err != nil {
		return err
	}
	t.service, t.bound = b.Service, true
	return nil
}

// check reports every destination of b that needs a capability c lacks.
func (c Capabilities) check(b sourceflow.Binding) error {
	var errs []error
	seen := map[string]bool{}
	need := func(dest string) {
		if !seen[dest] && strings.HasSuffix(dest, ".fifo") && !c.Ordered {
			errs = append(errs, fmt.Errorf("%w: destination %q claims per-entity order (its name ends in .fifo), which the transport does not declare (Capabilities.Ordered)", ErrCapability, dest))
		}
		seen[dest] = true
	}
	for _, r := range b.Routes {
		need(r.Destination)
	}
	for _, l := range b.Listeners {
		need(l.Destination)
		if !c.ConsumerGroups {
			errs = append(errs, fmt.Errorf("%w: service %q listens to %q, which needs consumer groups (Capabilities.ConsumerGroups): "+
				"without them every instance would receive every %s", ErrCapability, b.Service, l.Destination, l.Kind))
		}
	}
	return errors.Join(errs...)
}

// Publisher returns the publisher of destination.
func (t *PubSubTransport) Publisher(destination string) (message.Publisher, error) {
	if _, err := t.boundService(); err != nil {
		return nil, err
	}
	return topicPublisher{pub: t.cfg.Publisher, topic: t.cfg.Topic, maxBytes: t.cfg.MaxMessageBytes}, nil
}

// Subscriber returns a subscriber of destination in the service's consumer
// group. A PubSubConfig.Subscriber that returns neither a subscriber nor an
// error fails it.
func (t *PubSubTransport) Subscriber(destination string) (message.Subscriber, error) {
	service, err := t.boundService()
	if err != nil {
		return nil, err
	}
	topic := t.cfg.Topic(destination)
	inner, err := t.cfg.Subscriber(topic, service)
	if err != nil {
		return nil, fmt.Errorf("cqrs: PubSubConfig.Subscriber(%q, %q): %w", topic, service, err)
	}
	if inner == nil {
		return nil, fmt.Errorf("cqrs: PubSubConfig.Subscriber(%q, %q) returned no subscriber and no error", topic, service)
	}
	return &pubsubSubscriber{t: t, inner: inner, closed: make(chan struct{})}, nil
}

// boundService returns the service the transport is bound to, read under
// the lock a Bind of another instance of that service writes it under.
func (t *PubSubTransport) boundService() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.bound {
		return "", ErrNotBound
	}
	return t.service, nil
}

// Close closes the publisher (PubSubConfig.Publisher). Subscribers are
// closed by the services that own them.
func (t *PubSubTransport) Close() error {
	return t.cfg.Publisher.Close()
}

// deadLetter publishes m to the dead-letter topic of destination with its
// reason and the consumer group that dead-lettered it, the service's
// (sourceflow.MetaDeadLetteredBy, and the log line's consumer_group):
// every group of destination shares the topic. A dead letter over
// PubSubConfig.MaxMessageBytes is fitted (publishDeadLetter), the log
// line's dead_letter_left_out saying what it gave up; DeadLetters keeps m
// whole.
func (t *PubSubTransport) deadLetter(destination string, m *message.Message, reason string, deliveries int) error {
	group, _ := t.boundService() // bound: the subscriber that delivered m was made by a bound transport
	dl := m.Copy()
	dl.SetContext(m.Context())
	dl.Metadata.Set(sourceflow.MetaFailure, reason)
	dl.Metadata.Set(sourceflow.MetaDeadLetteredBy, group)
	topic := t.cfg.DeadLetterTopic(destination)
	fields := deadLetterFields(destination, m, deliveries).Add(watermill.LogFields{"dead_letter_topic": topic, "consumer_group": group})
	if err := t.publishDeadLetter(topic, dl, fields); err != nil {
		t.cfg.Logger.Error("Cannot dead-letter message; it stays on its topic", err, fields)
		return err
	}
	t.cfg.Logger.Error("Message dead-lettered", errors.New(reason), fields)
	kept := m.Copy() // without the consumer's context, as ChannelTransport keeps it
	kept.Metadata.Set(sourceflow.MetaFailure, reason)
	kept.Metadata.Set(sourceflow.MetaDeadLetteredBy, group)
	t.kept.add(DeadLetter{Destination: destination, Message: kept, Reason: reason, Deliveries: deliveries})
	t.dead.Add(destination) // once kept: a count read shows it in DeadLetters
	return nil
}

// publishDeadLetter publishes dl to topic fitted to
// PubSubConfig.MaxMessageBytes (fitDeadLetter), and when the Pub/Sub
// refuses it for good (its own bytes took it over its limit, or another
// refusal), once more at
// its smallest (smallestDeadLetter): a dead letter refused on every try
// would leave its message delivered again for ever, holding its
// destination. fields gets what was left out (dead_letter_left_out).
func (t *PubSubTransport) publishDeadLetter(topic string, dl *message.Message, fields watermill.LogFields) error {
	whole := dl.Copy()
	whole.SetContext(dl.Context())
	if gaveUp := fitDeadLetter(dl, t.cfg.MaxMessageBytes); gaveUp != "" {
		fields["dead_letter_left_out"] = gaveUp // DeadLetters keeps it whole
	}
	err := t.cfg.Publisher.Publish(topic, dl)
	if err == nil || !sourceflow.IsPermanent(err) {
		return err
	}
	t.cfg.Logger.Info("Dead letter refused for good; publishing it without its payload and metadata",
		fields.Add(watermill.LogFields{"err": err.Error()}))
	fields["dead_letter_left_out"] = "its payload and metadata"
	return t.cfg.Publisher.Publish(topic, smallestDeadLetter(whole, t.cfg.MaxMessageBytes, err))
}

// DeadLetters returns copies of the last 1000 messages this transport
// dead-lettered, oldest first: those this process published to a
// dead-letter topic since the transport was created. The topics themselves
// (sqlbus.DeadLetters for sqlbus) hold every process's.
func (t *PubSubTransport) DeadLetters() []DeadLetter {
	return t.kept.snapshot()
}

// NotifyDeadLetters calls f with each message this transport dead-letters
// from now on, as DeadLetters keeps it, in order, until stop is called;
// once stop returns f is called no more. It tells a test harness of every
// dead letter, one pushed out of DeadLetters' 1000 before the harness read
// them included. f must return quickly and not call DeadLetters.
func (t *PubSubTransport) NotifyDeadLetters(f func(DeadLetter)) (stop func()) {
	return t.kept.notify(f)
}

// DeadLettersByDestination returns how many messages were published to a
// dead-letter topic, by the destination each was consumed from, since the
// transport was created; a dead-lettering whose publish failed is not
// counted. The counts only grow and are safe to read concurrently; the
// metrics package exports them as sourceflow.message.dead_lettered
// (metrics.Config.DeadLetters).
func (t *PubSubTransport) DeadLettersByDestination() map[string]int64 {
	return t.dead.Snapshot()
}

var _ Transport = (*PubSubTransport)(nil)
