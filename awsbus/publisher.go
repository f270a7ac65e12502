package awsbus

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// Size limits checked before a call to AWS.
const (
	// MaxSQSMessageBytes is the SQS limit for one message, body plus
	// attributes, and for one SendMessageBatch request; every planned queue
	// accepts it (topology.MaxMessageBytes).
	MaxSQSMessageBytes = topology.MaxMessageBytes
	// MaxSNSMessageBytes is the SNS limit for one message and for one
	// PublishBatch request (the topic default).
	MaxSNSMessageBytes = 256 << 10
	maxBatchEntries    = 10
	// MaxPublishLinger bounds PublisherConfig.Linger.
	MaxPublishLinger = 100 * time.Millisecond
)

// PublisherConfig configures a Publisher.
type PublisherConfig struct {
	// SQS sends commands. Required.
	SQS SQSAPI
	// SNS publishes events. Optional: without it, publishing an event fails.
	SNS SNSAPI
	// Resolve maps a destination name to its AWS resources. Required.
	Resolve func(destination string) (topology.Endpoint, error)
	// Logger defaults to watermill.NopLogger.
	Logger watermill.LoggerAdapter
	// FallbackGroupID, when set, is the message group id of a message for a
	// FIFO destination that carries no entity id. Empty (the default) makes
	// such a message an ErrMissingEntityID error: SourceFlow messages always
	// carry one, and a fixed group serialises everything behind it.
	FallbackGroupID string
	// Linger is how long a single-message Publish that finds a call slot
	// free waits for more single-message publishes to the same destination
	// before its call leaves with all of them (up to 10, or the service's
	// size limit, which leave at once), 0..MaxPublishLinger. Publish still
	// returns only once AWS accepted the message; Close sends what lingers
	// at once. 0 (the default) sends at once: latency first. A steady rate
	// of concurrent single-message publishes (many handlers publishing)
	// then costs fewer calls per message for up to Linger more latency.
	Linger time.Duration
	// Timeout bounds each Publish, its wait for a call slot included,
	// whatever its messages' contexts allow: a message's context ending
	// sooner still ends it sooner. Default DefaultCallTimeout (a Transport sets
	// it to its Config.CallTimeout).
	Timeout time.Duration
}

func (c *PublisherConfig) setDefaults() {
	c.Timeout = cmp.Or(c.Timeout, DefaultCallTimeout)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every missing dependency.
func (c PublisherConfig) Validate() error {
	var errs []error
	for _, err := range []error{
		fieldcheck.Set("PublisherConfig.SQS", c.SQS), fieldcheck.NotTypedNil("PublisherConfig.SNS", c.SNS),
		fieldcheck.NotTypedNil("PublisherConfig.Logger", c.Logger),
	} {
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidConfig, err))
		}
	}
	if c.Resolve == nil {
		errs = append(errs, fmt.Errorf("%w: PublisherConfig.Resolve is required", ErrInvalidConfig))
	}
	if c.Linger < 0 || c.Linger > MaxPublishLinger {
		errs = append(errs, fmt.Errorf("%w: PublisherConfig.Linger %v, must be 0..%v", ErrInvalidConfig, c.Linger, MaxPublishLinger))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("%w: PublisherConfig.Timeout %v, must not be negative", ErrInvalidConfig, c.Timeout))
	}
	if c.FallbackGroupID != "" && !sqsrules.ValidFIFOID(c.FallbackGroupID) {
		errs = append(errs, fmt.Errorf("%w: PublisherConfig.FallbackGroupID must be 1-%d printable ASCII characters", ErrInvalidConfig, sqsrules.MaxFIFOIDLength))
	}
	return errors.Join(errs...)
}

// Publisher publishes Watermill messages: commands to SQS queues, events to
// SNS topics, batched when one Publish call carries several messages, and
// when single-message publishes to one destination arrive while earlier
// calls to it are still in flight (see Publish).
type Publisher struct {
	cfg       PublisherConfig
	closed    atomic.Bool
	closing   chan struct{} // closed by Close: lingering calls leave at once
	closeOnce sync.Once
	lanes     sync.Map // endpoint name → *lane
}

var _ message.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Publisher{cfg: cfg, closing: make(chan struct{})}, nil
}

// outgoing is one message ready to send.
type outgoing struct {
	wire    wireMessage
	group   string
	dedupID string
	ctx     context.Context
	// timeout is the cause ctx ends with when the Publisher's Timeout,
	// not the caller's deadline, ends it (see bound); nil otherwise.
	timeout error
}

// Publish sends msgs to destination and returns once AWS accepted them or
// with an error naming each message it did not confirm. Every message is
// checked first (text body, attribute names, attribute budget, size, FIFO
// entity id); if any fails, nothing is sent. A call to AWS uses
// msg.Context() (the first message's for a batch).
//
// A Publish of one message never waits on purpose (unless
// PublisherConfig.Linger asks it to): it is sent at once unless 4 calls to
// its destination are already in flight from this Publisher; then it waits
// for the next call slot and leaves in one batch with the others that waited
// meanwhile (up to 10 per call, on a FIFO endpoint at most one of each
// message group, the others of the group waiting for another call, since
// concurrent publishes of one group have no order between them; made with
// the values of the oldest's context and the latest deadline among them,
// none if one has none: one caller's short deadline fails no other's
// message). Under load the calls carry several messages each, with no added
// latency when idle. Its context ending before AWS answered returns an
// error: nothing was sent if it still waited, and it may have been sent if
// its call had started (the consumers' idempotency absorbs the resend).
// PublisherConfig.Timeout passing does the same, whatever the contexts
// allow: a handler's message context has no deadline, and an endpoint that
// stopped answering would otherwise hold the Publish until it answers.
//
// For several messages in one call, the messages AWS rejects, and any its
// answer does not confirm, are reported in a *PublishError; the others were
// sent, except on a FIFO endpoint, where sending stops at the first batch
// with a failure and every later message is reported as not sent. There a
// batch call carries at most one message of each message group (messages
// of different groups still share calls): AWS may accept an entry of a
// batch after failing an earlier one, which would put a message ahead of an
// earlier one of its group. Retrying the whole call then sends the
// messages of each group in order; the ones sent already are dropped by
// FIFO deduplication within its 5-minute window.
func (p *Publisher) Publish(destination string, msgs ...*message.Message) error {
	if p.closed.Load() {
		return ErrPublisherClosed
	}
	ep, err := p.cfg.Resolve(destination)
	if err != nil {
		return fmt.Errorf("awsbus: resolve %q: %w", destination, err)
	}
	out, err := p.prepare(ep, msgs)
	if err != nil {
		return err
	}
	defer p.bound(out)()
	s, err := p.sender(destination, ep)
	if err != nil {
		return err
	}
	if len(out) == 1 {
		return p.publishOne(ep, out[0], s)
	}
	return p.result(ep.Name, s.send(out, ep.FIFO))
}

// prepare marshals and checks every message; one at fault fails the call
// with a permanent error (sourceflow.Permanent), and nothing is sent.
func (p *Publisher) prepare(ep topology.Endpoint, msgs []*message.Message) ([]outgoing, error) {
	limit, service := MaxSQSMessageBytes, "SQS"
	if ep.Kind == sourceflow.KindEvent {
		limit, service = MaxSNSMessageBytes, "SNS"
	}
	out := make([]outgoing, 0, len(msgs))
	var errs []error
	for _, msg := range msgs {
		if len(msg.Payload) == 0 { // SQS and SNS refuse an empty body
			errs = append(errs, fmt.Errorf("%w: message %s has an empty payload", ErrInvalidPayload, sourceflow.IDText(msg.UUID)))
			continue
		}
		wire, err := marshal(msg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if size := wire.size(); size > limit {
			errs = append(errs, &SizeError{UUID: msg.UUID, Service: service, Size: size, Limit: limit})
			continue
		}
		o := outgoing{wire: wire, ctx: msg.Context()}
		if ep.FIFO {
			if o.group, o.dedupID, err = p.fifoIDs(ep, msg); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		out = append(out, o)
	}
	if len(errs) > 0 {
		// The messages themselves are at fault: sending again cannot help,
		// and a circuit breaker must not count it against the destination.
		return nil, sourceflow.Permanent(fmt.Errorf("awsbus: nothing sent to %q: %w", ep.Name, errtext.Joined(errs)))
	}
	return out, nil
}

// fifoIDs returns the message group id (the entity id) and deduplication id
// (the message id, else the UUID) of msg, hashed when SQS would reject them.
func (p *Publisher) fifoIDs(ep topology.Endpoint, msg *message.Message) (group, dedup string, err error) {
	group = msg.Metadata.Get(sourceflow.MetaEntityID)
	if group == "" {
		group = p.cfg.FallbackGroupID
	}
	if group == "" {
		return "", "", fmt.Errorf("%w: message %s to %q has no %s metadata", ErrMissingEntityID, sourceflow.IDText(msg.UUID), ep.Name, sourceflow.MetaEntityID)
	}
	dedup = msg.Metadata.Get(sourceflow.MetaMessageID)
	if dedup == "" {
		dedup = msg.UUID
	}
	return fifoID(group), fifoID(dedup), nil
}

// fifoID returns id when SQS accepts it as a group or deduplication id, or
// its SHA-256 in hex (64 characters) otherwise. Equal ids map to equal
// results, so grouping and deduplication are kept.
func fifoID(id string) string {
	if sqsrules.ValidFIFOID(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Close makes every later Publish fail with ErrPublisherClosed, and sends
// the publishes that linger (see PublisherConfig.Linger) at once.
func (p *Publisher) Close() error {
	p.closed.Store(true)
	p.closeOnce.Do(func() { close(p.closing) })
	return nil
}
