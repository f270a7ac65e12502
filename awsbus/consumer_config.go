package awsbus

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Defaults and limits of ConsumerConfig.
const (
	DefaultMaxConcurrentCalls = 10
	DefaultShutdownTimeout    = 30 * time.Second
	DefaultNackBackoff        = time.Second
	// MaxNackBackoff bounds the doubled NackBackoff of a message received
	// many times, and the delay a handler hints (sourceflow.RetryAfter).
	MaxNackBackoff     = 5 * time.Minute
	maxShutdownTimeout = 24 * time.Hour
)

// ConsumerConfig holds the consumer settings, declared once for Config and
// SubscriberConfig. SQS counts time in seconds, so WaitTime,
// VisibilityTimeout and NackBackoff are rounded up to whole seconds.
type ConsumerConfig struct {
	// MaxConcurrentCalls bounds the messages each Subscribe holds at once:
	// handed out and not yet acked, or received and waiting for their FIFO
	// group. At least 1; default 10.
	MaxConcurrentCalls int
	// WaitTime is the long-poll wait of ReceiveMessage (and of the consumed
	// queues), 1s..20s. Default 20s. Each ReceiveMessage waits at most
	// ShutdownTimeout less 1s, in whole seconds (at least 1s), so that the
	// poll under way, which Close lets end, ends before the shutdown
	// deadline and Close cuts none (see Shutdown in the package
	// documentation): with a ShutdownTimeout of 5s a poll waits 4s, and an
	// idle subscription makes a receive every 4s instead of every 20s. So
	// Close takes up to that wait when no message comes: a closer that
	// waits less, such as a cqrs service whose ServiceConfig.CloseTimeout is
	// shorter, reports a timeout for an idle close. Keep the wait below
	// such a closer's.
	WaitTime time.Duration
	// VisibilityTimeout of the consumed queues and of every receive, renewed
	// by a heartbeat while a handler runs longer than half of it. 1s..12h;
	// default 30s.
	VisibilityTimeout time.Duration
	// NackBackoff is the visibility timeout set on a message nacked on its
	// first receive, so it is redelivered after this delay (counting toward
	// the queue's maxReceiveCount); it doubles with every further receive
	// (ApproximateReceiveCount), up to MaxNackBackoff. With the defaults (1s,
	// maxReceiveCount 8) a failing message is tried over about two minutes
	// (1+2+4+...+64 s) before it is dead-lettered, so a dependency outage of
	// that length loses nothing. At most 12h; default 1s; a negative value
	// redelivers at once. SQS ends every visibility timeout within 12 hours
	// of the receive, so a message held nearly that long comes back sooner.
	// A handler's error that hints a delay (sourceflow.RetryAfter, as the
	// encryption Decrypter's for a refused KMS key) sets that delay instead,
	// at most MaxNackBackoff.
	NackBackoff time.Duration
	// ShutdownTimeout is how long Close (or the end of the Subscribe context)
	// waits for handed-out messages to be acked before releasing them, and
	// at most for the long poll under way to be answered; it also caps each
	// poll's wait (see WaitTime), so that the poll ends before it, unless it
	// is under 2s (see Shutdown in the package documentation). 0..24h;
	// default 30s.
	ShutdownTimeout time.Duration
}

// setDefaults gives zero fields their defaults and rounds the SQS
// timeouts up to whole seconds. A negative NackBackoff (redeliver at once)
// stays negative: setDefaults runs again on a configuration it already
// completed (a Transport's, for the Subscriber it builds), where 0 would
// stand for the default.
func (c *ConsumerConfig) setDefaults() {
	c.fillDefaults()
	c.WaitTime = topology.CeilSecond(c.WaitTime)
	c.VisibilityTimeout = topology.CeilSecond(c.VisibilityTimeout)
	c.NackBackoff = topology.CeilSecond(c.NackBackoff)
}

// fillDefaults gives zero fields their defaults and leaves every other
// value as given.
func (c *ConsumerConfig) fillDefaults() {
	c.MaxConcurrentCalls = cmp.Or(c.MaxConcurrentCalls, DefaultMaxConcurrentCalls)
	c.WaitTime = cmp.Or(c.WaitTime, topology.DefaultWaitTime)
	c.VisibilityTimeout = cmp.Or(c.VisibilityTimeout, topology.DefaultVisibilityTimeout)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, DefaultShutdownTimeout)
	c.NackBackoff = cmp.Or(c.NackBackoff, DefaultNackBackoff)
}

// Validate reports every out-of-range setting at once, each naming its
// field and the value given, wrapped in ErrInvalidConfig. Zero values
// stand for their defaults.
func (c ConsumerConfig) Validate() error {
	if err := c.problems(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// problems joins the problems Validate reports, unwrapped, so that Config
// reports them with its own (see fieldProblems).
func (c ConsumerConfig) problems() error {
	return errors.Join(c.fieldProblems()...)
}

// fieldProblems lists the problems Validate reports, one per field (nil for
// a valid one), each starting with the field's name, so that
// SubscriberConfig reports them under its own name. A timeout SQS counts in
// seconds is checked as it is rounded up, and reported as given.
func (c ConsumerConfig) fieldProblems() []error {
	c.fillDefaults()
	var nack error
	// The limit is whole seconds, so NackBackoff is past it exactly when
	// rounded up, and comparing it unrounded cannot overflow.
	if c.NackBackoff > topology.MaxVisibilityTimeout {
		nack = fmt.Errorf("NackBackoff: %s, must be at most %v (a negative value redelivers at once)",
			givenSeconds(c.NackBackoff), topology.MaxVisibilityTimeout)
	}
	return []error{
		fieldcheck.AtLeast("MaxConcurrentCalls", c.MaxConcurrentCalls, 1),
		withinSeconds("WaitTime", c.WaitTime, time.Second, topology.MaxWaitTime),
		withinSeconds("VisibilityTimeout", c.VisibilityTimeout, time.Second, topology.MaxVisibilityTimeout),
		nack,
		fieldcheck.Within("ShutdownTimeout", c.ShutdownTimeout, 0, maxShutdownTimeout),
	}
}

// withinSeconds reports d outside [lowest, highest], two whole numbers of
// seconds, once rounded up to whole seconds, naming d as given. d is
// compared with highest before rounding, which could overflow.
func withinSeconds(field string, d, lowest, highest time.Duration) error {
	if d > highest || topology.CeilSecond(d) < lowest {
		return fmt.Errorf("%s: %s, must be %v..%v", field, givenSeconds(d), lowest, highest)
	}
	return nil
}

// givenSeconds is d as given, followed by what it rounds up to when it is
// not a whole number of seconds (and the rounding does not overflow).
func givenSeconds(d time.Duration) string {
	if s := topology.CeilSecond(d); s > d {
		return fmt.Sprintf("%v (%v in whole seconds)", d, s)
	}
	return d.String()
}

// sqsSeconds is d in the whole seconds of a WaitTimeSeconds or
// VisibilityTimeout parameter, within 0..12h (the longest visibility
// timeout SQS takes).
func sqsSeconds(d time.Duration) int32 {
	return int32(min(max(d/time.Second, 0), topology.MaxVisibilityTimeout/time.Second))
}
