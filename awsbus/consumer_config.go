package awsbus

import (
	"cmp"
	"errors"
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
	// many times.
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
	// queues), 1s..20s. Default 20s.
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
	NackBackoff time.Duration
	// ShutdownTimeout is how long Close (or the end of the Subscribe context)
	// waits for handed-out messages to be acked before releasing them.
	// 0..24h; default 30s.
	ShutdownTimeout time.Duration
}

func (c *ConsumerConfig) setDefaults() {
	c.MaxConcurrentCalls = cmp.Or(c.MaxConcurrentCalls, DefaultMaxConcurrentCalls)
	c.WaitTime = cmp.Or(c.WaitTime, topology.DefaultWaitTime)
	c.VisibilityTimeout = cmp.Or(c.VisibilityTimeout, topology.DefaultVisibilityTimeout)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, DefaultShutdownTimeout)
	switch {
	case c.NackBackoff == 0:
		c.NackBackoff = DefaultNackBackoff
	case c.NackBackoff < 0:
		c.NackBackoff = 0
	}
	c.WaitTime = topology.CeilSecond(c.WaitTime)
	c.VisibilityTimeout = topology.CeilSecond(c.VisibilityTimeout)
	c.NackBackoff = topology.CeilSecond(c.NackBackoff)
}

// Validate reports every out-of-range setting at once, each naming its
// field. Zero values stand for their defaults.
func (c ConsumerConfig) Validate() error {
	c.setDefaults()
	return errors.Join(
		fieldcheck.AtLeast("MaxConcurrentCalls", c.MaxConcurrentCalls, 1),
		fieldcheck.Within("WaitTime", c.WaitTime, time.Second, topology.MaxWaitTime),
		fieldcheck.Within("VisibilityTimeout", c.VisibilityTimeout, time.Second, topology.MaxVisibilityTimeout),
		fieldcheck.Within("NackBackoff", c.NackBackoff, 0, topology.MaxVisibilityTimeout),
		fieldcheck.Within("ShutdownTimeout", c.ShutdownTimeout, 0, maxShutdownTimeout),
	)
}

// sqsSeconds is d in the whole seconds of a WaitTimeSeconds or
// VisibilityTimeout parameter, within 0..12h (the longest visibility
// timeout SQS takes).
func sqsSeconds(d time.Duration) int32 {
	return int32(min(max(d/time.Second, 0), topology.MaxVisibilityTimeout/time.Second))
}
