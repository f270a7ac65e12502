package dynamostore

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// OutboxConfig configures an Outbox.
type OutboxConfig struct {
	// Transport is the inner transport: messages go out on it once the
	// transaction that wrote them committed, and services subscribe
	// through it. Required.
	Transport cqrs.Transport
	// Name names the service's outbox in the shared outbox table: every
	// instance of a service gives the same name, each service its own (a
	// sweep relays only its own outbox's messages, through its own inner
	// transport). Required; at most 200 bytes.
	Name string
	// RelayAfter is how long after a handler wrote a message into the
	// outbox the sweep may relay it. The instance whose transaction wrote a
	// message relays it right after the commit; the sweep picks up what an
	// instance could not relay (it crashed, or the inner transport failed).
	// Keep it above the longest handling (from the write to the commit) plus
	// one relay, or the sweep and the committing instance both send the
	// message (consumers' idempotency absorbs the repeat). Write times and
	// leases are read on each instance's own clock: an instance whose clock
	// runs ahead of the others by more than RelayAfter sweeps messages still
	// being relayed and takes over live leases, so keep the instances'
	// clocks synchronised (NTP) well within it. A sweep's publish gets
	// until a third of it (at most 10 s) before the lease ends, 20 s of
	// the default: one still waiting then fails and is tried again by a
	// later sweep, so keep it above the inner transport's slowest publish
	// plus that margin. Default 30 s.
	RelayAfter time.Duration
	// SweepInterval is how often each instance sweeps the outbox. Default
	// 5 s.
	SweepInterval time.Duration
	// Logger receives relay failures. Default: no-op.
	Logger watermill.LoggerAdapter
	// RelayObservers are told of each attempt of the relay (after commit
	// and by the sweep) to publish a message, with the message's metadata,
	// Name and its destination: metrics.Metrics.RelayObserver counts and
	// ages the attempts, tracing.Tracing.RelayObserver gives each a span.
	// Optional: without them the relay reports nothing and spends nothing
	// on it.
	RelayObservers []sourceflow.RelayObserver
}

func (c *OutboxConfig) setDefaults() {
	c.RelayAfter = cmp.Or(c.RelayAfter, 30*time.Second)
	c.SweepInterval = cmp.Or(c.SweepInterval, 5*time.Second)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field. Zero RelayAfter and SweepInterval
// stand for their defaults.
func (c OutboxConfig) Validate() error {
	c.setDefaults()
	errs := []error{
		fieldcheck.Required("Transport", c.Transport != nil),
		fieldcheck.AtLeast("RelayAfter", c.RelayAfter, time.Second),
		fieldcheck.AtLeast("SweepInterval", c.SweepInterval, 10*time.Millisecond),
		fieldcheck.NoNilEntries("RelayObservers", c.RelayObservers),
	}
	if c.Name == "" || len(c.Name) > 200 {
		errs = append(errs, fmt.Errorf("Name %q: want 1 to 200 bytes", truncate(c.Name)))
	}
	return errors.Join(errs...)
}
