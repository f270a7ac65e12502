package outbox

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Defaults of Config.
const (
	// DefaultPollInterval is how long an idle forwarder waits before it
	// looks for new rows again.
	DefaultPollInterval = 100 * time.Millisecond
	// DefaultPruneInterval is how often a forwarder deletes the rows it
	// forwarded.
	DefaultPruneInterval = time.Minute
)

// maxTopicLength keeps the longest table name watermill-sql derives from
// the topic ("watermill_offsets_<Topic>_dead_letters") within the 63 bytes
// PostgreSQL and the 64 MySQL allow.
const maxTopicLength = 63 - len("watermill_offsets_") - len(deadLetterSuffix)

// Config configures a Transport.
type Config struct {
	// DB is the database holding the outbox. Required. Messages are written
	// into the outbox when their context carries a transaction on DB. The
	// caller owns it: the transport never closes it.
	DB *sql.DB
	// Dialect is sourceflow.Postgres (PostgreSQL 13 or later: the outbox is
	// ordered by the xid8 transaction id of each row) or sourceflow.MySQL.
	// Required.
	Dialect sourceflow.Dialect
	// Transport is the inner transport: the forwarder publishes the outbox's
	// messages to it, messages sent outside a transaction go straight to it,
	// and services subscribe through it. Required. Close closes it.
	Transport cqrs.Transport
	// Topic names the outbox: its rows live in the table watermill_<Topic>,
	// its dead letters in watermill_<Topic>_dead_letters and its held rows
	// (waiting behind a failing destination) in
	// sourceflow_outbox_held_<Topic>. Letters,
	// digits and underscores, at most 32 bytes (the table names must fit
	// the 63 bytes PostgreSQL allows), neither ending in "_dead_letters"
	// nor starting with "offsets_" (watermill-sql's names of those tables).
	// All instances of a service share one Topic.
	// Services sharing one database must each have their own Topic, as the
	// default gives them: the forwarders of a Topic share its rows, so one
	// service's forwarder would take another's rows (holding those for
	// destinations its inner transport does not know, with the later rows
	// for them, and dead-lettering them after 15 minutes). On a database sqlbus also uses, neither Topic nor
	// <Topic>_dead_letters may be the topic of an sqlbus destination (the
	// table watermill_<Topic>, or watermill_<Topic>_dead_letters, and
	// watermill_<sqlbus.Topic(destination)> would be one): with Topic
	// "orders" and sqlbus destination "orders" each side would read, and
	// dead-letter, the other's rows; with destination "orders_dead_letters"
	// its consumers would receive the outbox's dead letters, and Redrive
	// would move its messages into the outbox. Default: TopicFor the
	// service name, taken by the Transport's first Bind (the Binding's
	// Service); such a Transport serves that one service. DeadLetters,
	// Redrive, Depths and Prune, which know no service, need it set.
	Topic string
	// PollInterval is how long an idle forwarder waits before it queries
	// the outbox again; a forwarder that found rows queries again at once.
	// Default DefaultPollInterval.
	PollInterval time.Duration
	// PruneInterval is how often a forwarder deletes the rows the
	// forwarders forwarded or dead-lettered (see Prune), so the outbox
	// table holds what is still to forward and the last forwarded row.
	// Negative: never; the table then keeps every message ever sent until
	// pruned by hand. Default DefaultPruneInterval.
	PruneInterval time.Duration
	// DisableForwarder keeps Bind from starting a forwarder in this process,
	// for processes that only write into the outbox while other instances
	// forward (and prune) it. At least one instance must forward.
	DisableForwarder bool
	// RelayObservers are told of each attempt of the forwarder to forward a
	// message, with the message's metadata, the outbox's Topic and its
	// destination: metrics.Metrics.RelayObserver counts and ages the
	// forwards, tracing.Tracing.RelayObserver gives each a span. Optional:
	// without them the forwarder reports nothing and spends nothing on it.
	RelayObservers []sourceflow.RelayObserver
	// Logger logs the forwarder's work (never payloads). Each row it
	// dead-letters is logged at error level with its reason. Failed forwards
	// in a row are logged first, then at most once a minute with their
	// number, and their end once; so are the forwarder's failed polls of the
	// outbox while DB is down ("Error querying for message", with
	// "cleared: Error querying for message" at info level once a poll
	// passes again). A connection to DB that crosses a network
	// in clear text is warned of once, at slog's Warn (at Info on a logger
	// without a Warn method; see the package documentation). Rows of the
	// earlier releases' default outbox this release would strand are
	// logged at error level (see TopicFor).
	// Default: a logger over slog.Default(), as cqrs's configs have, which
	// lowers Watermill's Info lines to slog's Debug: at slog's default
	// level only failures show. watermill.NopLogger{} discards everything
	// but the warnings, which then go to slog.Default() at slog's Warn.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
	c.PruneInterval = cmp.Or(c.PruneInterval, DefaultPruneInterval)
	if c.Logger == nil {
		c.Logger = slogdefault.Logger()
	}
}

// Validate reports every configuration problem at once, each naming its
// field, as ErrInvalidConfig: a missing DB or Transport, a Dialect other
// than Postgres and MySQL (also ErrUnsupportedDialect), a DB opened with
// another dialect's driver, a Topic that cannot name the outbox tables
// (also ErrInvalidTopic) and a negative PollInterval. A zero Topic or
// PollInterval stands for its default. It does not connect.
func (c Config) Validate() error {
	return sqldb.InvalidConfig("outbox",
		c.storeProblems(),
		fieldcheck.Set("Config.Transport", c.Transport),
		fieldcheck.NotNegative("Config.PollInterval", c.PollInterval),
		fieldcheck.NotTypedNil("Config.Logger", c.Logger),
		fieldcheck.NoNilEntries("Config.RelayObservers", c.RelayObservers),
	)
}

// validateStore is Validate for the functions that only read or write the
// outbox tables: it checks DB, Dialect and Topic, which they need set.
func (c Config) validateStore() error {
	var unset error
	if c.Topic == "" {
		unset = errors.New("Config.Topic must be set: a service's outbox is TopicFor(service name) unless its Config set a Topic")
	}
	return sqldb.InvalidConfig("outbox", c.storeProblems(), unset)
}

// storeProblems joins the problems of the fields that locate the outbox:
// DB, Dialect and Topic.
func (c Config) storeProblems() error {
	problems := []error{fieldcheck.Required("Config.DB", c.DB != nil)}
	if c.Dialect != sourceflow.Postgres && c.Dialect != sourceflow.MySQL {
		problems = append(problems, fmt.Errorf("%w: Config.Dialect %q (want %q or %q)",
			ErrUnsupportedDialect, string(c.Dialect), sourceflow.Postgres, sourceflow.MySQL))
	} else if err := sqldb.DriverMismatch(c.Dialect, c.DB); err != nil {
		problems = append(problems, fmt.Errorf("Config.DB: %w", err))
	}
	if c.Topic != "" {
		problems = append(problems, ValidateTopic(c.Topic))
	}
	return errors.Join(problems...)
}

// ValidateTopic reports, as ErrInvalidTopic, a topic that cannot name an
// outbox (see Config.Topic), for callers that take a topic on its own,
// such as a command line. The empty topic is invalid: Config takes it for
// TopicFor the service name.
func ValidateTopic(topic string) error {
	if topic != "" && validTopic(topic) {
		return nil
	}
	return fmt.Errorf("%w: Config.Topic %q (letters, digits and underscores, at most %d bytes, not ending in %q nor starting with %q)",
		ErrInvalidTopic, topic, maxTopicLength, deadLetterSuffix, "offsets_")
}

// validTopic reports whether topic is letters, digits and underscores, at
// most maxTopicLength bytes (table names are spliced into SQL), neither
// ending in deadLetterSuffix nor starting with "offsets_": the outbox table
// of "x_dead_letters" would be the dead-letter table of the outbox "x", and
// that of "offsets_x" its offsets table.
func validTopic(topic string) bool {
	return len(topic) <= maxTopicLength && sqldb.ValidWord(topic) &&
		!strings.HasSuffix(topic, deadLetterSuffix) && !strings.HasPrefix(topic, "offsets_")
}
