package sqlbus

import (
	"context"
	"database/sql"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// plaintextCheck checks, on the first Publish or Subscribe of a
// transport, whether its connection to the database crosses a network in
// clear text or in TLS that does not verify the server, and if so logs it (see sqldb.WarnPlaintext). NewTransport
// takes no context and touches no database: the first call that does
// runs the check, within its context; the calls meanwhile do not wait for
// it, and one whose context ends before the server answered leaves it to
// a later call (see sqldb.PlaintextOnce).
type plaintextCheck struct {
	once    sqldb.PlaintextOnce
	db      *sql.DB
	dialect sourceflow.Dialect
	logger  watermill.LoggerAdapter
}

// newPlaintextCheck is the check of cfg's database, which logs on cfg's
// Logger.
func newPlaintextCheck(cfg Config) *plaintextCheck {
	return &plaintextCheck{db: cfg.DB, dialect: cfg.Dialect, logger: cfg.Logger}
}

// run runs the check within ctx, until one concluded.
func (c *plaintextCheck) run(ctx context.Context) {
	c.once.Warn(ctx, c.db, c.dialect, "", sqldb.DefaultConnectTimeout, c.logger, "sqlbus")
}

// plaintextCheckPublisher is the publisher of every topic, which runs the
// check before its first publish, within the first message's context (see
// plaintextCheck).
type plaintextCheckPublisher struct {
	message.Publisher
	check *plaintextCheck
}

// Publish runs the check, the first time, then publishes msgs.
func (p plaintextCheckPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) > 0 {
		p.check.run(msgs[0].Context())
	}
	return p.Publisher.Publish(topic, msgs...)
}
