package outbox

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

var (
	// ErrUnsupportedDialect is reported by Config.Validate, with
	// ErrInvalidConfig, for a dialect watermill-sql has no Pub/Sub for
	// (anything but Postgres and MySQL). It names no package: it is met
	// after "outbox: invalid configuration: ".
	ErrUnsupportedDialect = errors.New("unsupported dialect")
	// ErrInvalidConfig is reported by Config.Validate (and so by New and
	// the functions that take a Config) for every invalid field of a
	// Config: a missing DB or Transport, a negative PollInterval, an
	// unsupported Dialect (which is ErrUnsupportedDialect too), a Topic
	// that cannot name the outbox tables (ErrInvalidTopic too), and a DB
	// whose driver is another dialect's than Dialect: pgx's is Postgres's,
	// go-sql-driver/mysql's MySQL's. A database opened with another driver
	// (one wrapped for tracing, say) is taken as it is. No connection is
	// tried, and no retry helps. It is also returned by DeadLetters,
	// Redrive, Depths and Prune for an empty Topic, and by a Bind of a
	// service to a Transport whose Topic another service's name gave it.
	ErrInvalidConfig = sqldb.ErrInvalidConfig
	// ErrInvalidTopic is reported by ValidateTopic, and by Config.Validate
	// with ErrInvalidConfig, for a Topic that cannot name the outbox tables.
	// It names no package: Config.Validate's error does.
	ErrInvalidTopic = errors.New("invalid topic")
	// ErrClosed is returned by Bind after Close.
	ErrClosed = errors.New("outbox: transport closed")
	// ErrForeignTransaction is returned by a publish whose context carries a
	// transaction begun on another database than Config.DB: the message can
	// neither join that transaction nor be sent before it commits. Open the
	// stores and the outbox on one *sql.DB. The error is permanent
	// (sourceflow.IsPermanent), so a handler's message is dead-lettered with
	// it rather than retried.
	ErrForeignTransaction = errors.New("outbox: the transaction is on another database than the outbox's")
	// ErrInvalidMessage is returned by a publish, before any of its
	// messages is written, when a message to be written into the outbox has
	// an id or metadata that is not valid UTF-8 (stored as JSON, it would
	// come out changed: U+FFFD in place of each invalid byte) or, on MySQL,
	// an outbox row larger than the server's max_allowed_packet. The error
	// names the message and is permanent (sourceflow.IsPermanent).
	ErrInvalidMessage = errors.New("outbox: message cannot be stored unchanged")
	// ErrUndeliverable marks an outbox row the forwarder dead-letters instead
	// of retrying: it cannot be decoded, or the inner transport refused it
	// (or a publisher of its destination) permanently. The
	// reason of a dead letter is the text of such an error.
	ErrUndeliverable = errors.New("outbox: undeliverable row")
)
