package sqlbus

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// ErrUnsupportedDialect is reported by Config.Validate, with
// ErrInvalidConfig, for a dialect watermill-sql has no Pub/Sub for
// (anything but Postgres and MySQL). It names no package: it is met after
// "sqlbus: invalid configuration: ".
var ErrUnsupportedDialect = errors.New("unsupported dialect")

// ErrInvalidMessage is returned, marked permanent (sourceflow.IsPermanent),
// by a publish of a message a topic's table cannot hold unchanged: an id
// longer than 36 characters, not valid UTF-8 or holding a NUL byte,
// metadata that is not valid UTF-8, or, on MySQL, a row larger than the
// server's max_allowed_packet. The error names each such message and why;
// the other messages of the publish are published.
var ErrInvalidMessage = errors.New("sqlbus: message cannot be stored")

// ErrInvalidConfig is reported by Config.Validate (and so by NewTransport
// and the functions that take a Config) for every invalid field of a
// Config: a missing DB, a negative PollInterval, AckDeadline,
// RedeliveryDelay, MaxDeliveries or CloseTimeout, MaxDeliveries and RedeliveryDelay
// whose pauses outlast AckDeadline, an unsupported Dialect (which is
// ErrUnsupportedDialect too), and a DB whose driver is another dialect's
// than Dialect: pgx's is Postgres's, go-sql-driver/mysql's MySQL's. A
// database opened with another driver (one wrapped for tracing, say) is
// taken as it is. No connection is tried, and no retry helps. A listening
// service's Start fails with it, before any statement, when the service's
// name, its consumer group, is one the offsets tables' consumer_group
// column (VARCHAR(255); VARBINARY(767) on MySQL) cannot hold: longer than
// 255 characters or, on MySQL, 767 bytes of UTF-8, not valid UTF-8 or
// holding a NUL byte; the error names cqrs.ServiceConfig.Name. Start
// fails with it too when Config.DB's pool is capped (DB.SetMaxOpenConns)
// below one connection per subscription of the transport plus one; the
// error names MaxOpenConns and the need.
var ErrInvalidConfig = sqldb.ErrInvalidConfig
