package sqlbus

import (
	"cmp"
	"database/sql"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Defaults of Config.
const (
	// DefaultPollInterval is how long an idle subscription waits before it
	// looks for new messages again.
	DefaultPollInterval = 100 * time.Millisecond
	// DefaultAckDeadline bounds the handling of one message, every in-process
	// delivery of it included.
	DefaultAckDeadline = 30 * time.Second
	// DefaultPruneInterval is how often a subscription deletes the rows
	// every consumer group of its destination acknowledged.
	DefaultPruneInterval = time.Minute
	// DefaultCloseTimeout bounds how long closing a subscription waits for
	// the deliveries in flight: cqrs.PubSubConfig.CloseTimeout's default.
	DefaultCloseTimeout = 20 * time.Second
)

// Config configures the SQL transport.
type Config struct {
	// DB is the database holding the topics' tables. Required. The caller
	// owns it: the transport never closes it.
	DB *sql.DB
	// Dialect is Postgres or MySQL. Required.
	Dialect sourceflow.Dialect
	// PollInterval is how long an idle subscription waits before it queries
	// its topic again; a subscription that found messages queries again at
	// once. It bounds the latency a message adds when the consumer is idle,
	// and every idle subscription costs one short transaction per interval.
	// Default DefaultPollInterval (100ms; watermill-sql's own default is 1s).
	PollInterval time.Duration
	// AckDeadline bounds the handling of one message, its in-process
	// redeliveries included; a message not acknowledged in time is read
	// again from the table (while the first delivery may still run).
	// Handlers see it as their context's deadline. It also bounds each
	// database call of a subscription's poll (its begin, each statement,
	// its commit), so that a connection gone silent ends the poll, whose
	// error the subscriber logs, instead of stalling the subscription; the
	// next poll runs on another connection. Default DefaultAckDeadline
	// (30s).
	AckDeadline time.Duration
	// MaxDeliveries is how many times a failing message is delivered in
	// process before it is dead-lettered (cqrs.PubSubConfig.MaxDeliveries);
	// the deliveries before an AckDeadline passed count too, so a handler
	// that fails only after the deadline is dead-lettered all the same.
	// Default: cqrs.DefaultMaxDeliveries (8).
	MaxDeliveries int
	// RedeliveryDelay is the pause before the second delivery of a failed
	// message, doubled for each next one (cqrs.PubSubConfig.RedeliveryDelay);
	// all pauses together must stay below AckDeadline. Default:
	// cqrs.DefaultRedeliveryDelay (100ms).
	RedeliveryDelay time.Duration
	// PruneInterval is how often each subscription deletes the rows of its
	// destination that every consumer group of it acknowledged (see Prune),
	// so a table holds what is still to consume. Each subscription of each
	// instance prunes (a read of the groups' positions, then the deletes),
	// so a destination sees instances × subscribing services prunes per
	// interval: keep it in minutes. Negative: never; the tables then keep
	// every message ever sent. Default DefaultPruneInterval.
	PruneInterval time.Duration
	// CloseTimeout bounds how long closing a subscription (a service's
	// Close) waits for the deliveries in flight to reach their ack or nack
	// before it leaves them to the table, which delivers them again
	// (cqrs.PubSubConfig.CloseTimeout); their handlers' contexts end then.
	// A service's Close takes up to the larger of CloseTimeout and
	// cqrs.ServiceConfig.CloseTimeout. Default DefaultCloseTimeout (20s).
	CloseTimeout time.Duration
	// Logger logs, among others the warning about a connection that
	// crosses a network in clear text and a subscription's failed polls,
	// at most once a minute while they go on (see the package
	// documentation).
	// Default: watermill.NopLogger, which drops every line but the
	// warnings (a connection anyone on the network path could read, a
	// table of an earlier release): while Logger is unset or
	// watermill.NopLogger they go to slog.Default() at slog's Warn.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
	c.AckDeadline = cmp.Or(c.AckDeadline, DefaultAckDeadline)
	c.MaxDeliveries = cmp.Or(c.MaxDeliveries, cqrs.DefaultMaxDeliveries)
	c.RedeliveryDelay = cmp.Or(c.RedeliveryDelay, cqrs.DefaultRedeliveryDelay)
	c.PruneInterval = cmp.Or(c.PruneInterval, DefaultPruneInterval)
	c.CloseTimeout = cmp.Or(c.CloseTimeout, DefaultCloseTimeout)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every configuration problem at once, each naming its
// field, as ErrInvalidConfig: a missing DB, a negative duration or count,
// redeliveries whose pauses outlast AckDeadline, a Dialect other than
// Postgres and MySQL (also ErrUnsupportedDialect) and a DB opened with
// another dialect's driver. Zero durations and counts stand for their
// defaults. It does not connect.
func (c Config) Validate() error {
	problems := []error{
		fieldcheck.Required("Config.DB", c.DB != nil),
		fieldcheck.NotNegative("Config.PollInterval", c.PollInterval),
		fieldcheck.NotNegative("Config.AckDeadline", c.AckDeadline),
		fieldcheck.NotNegative("Config.RedeliveryDelay", c.RedeliveryDelay),
		fieldcheck.NotNegative("Config.MaxDeliveries", c.MaxDeliveries),
		fieldcheck.NotNegative("Config.CloseTimeout", c.CloseTimeout),
		fieldcheck.NotTypedNil("Config.Logger", c.Logger),
	}
	if c.Dialect != sourceflow.Postgres && c.Dialect != sourceflow.MySQL {
		problems = append(problems, fmt.Errorf("%w: Config.Dialect %q (want %q or %q)", ErrUnsupportedDialect, string(c.Dialect), sourceflow.Postgres, sourceflow.MySQL))
	} else if err := sqldb.DriverMismatch(c.Dialect, c.DB); err != nil {
		problems = append(problems, fmt.Errorf("Config.DB: %w", err))
	}
	c.setDefaults()
	if pauses := cqrs.RedeliveryPauses(c.MaxDeliveries, c.RedeliveryDelay); c.AckDeadline > 0 && pauses >= c.AckDeadline {
		problems = append(problems, fmt.Errorf("Config.MaxDeliveries %d with Config.RedeliveryDelay %v pause %v in all between deliveries, "+
			"which outlast Config.AckDeadline %v", c.MaxDeliveries, c.RedeliveryDelay, pauses, c.AckDeadline))
	}
	return sqldb.InvalidConfig("sqlbus", problems...)
}
