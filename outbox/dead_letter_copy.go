package outbox

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// newDeadLetterPublisher returns the publisher of cfg's dead letters,
// counting them in dead; on MySQL it checks them against the server's
// max_allowed_packet (see write).
func newDeadLetterPublisher(cfg Config, dead *deadletter.Counts) deadLetterPublisher {
	p := deadLetterPublisher{db: cfg.DB, schema: schemaAdapter(cfg.Dialect), topic: cfg.Topic, logger: cfg.Logger, dead: dead}
	if cfg.Dialect == sourceflow.MySQL {
		p.limit = &sqldb.PacketLimit{}
	}
	return p
}

// write writes msgs to topic's table through exec. When their rows fit in
// the server's max_allowed_packet, as they do unless the limit was lowered
// since they were written to the outbox (or a fail-over reached a server
// configured otherwise), they are written in one statement: the limit,
// read once (sqldb.PacketLimit), decides with no statement of its own. One
// that does not fit is copied on the server instead (copyOnServer), so
// that its payload never crosses the wire; the server would reset the
// connection on every try, and the row would hold up every destination of
// the outbox. A failed write has the limit read again on the next try.
func (p deadLetterPublisher) write(exec wsql.ContextExecutor, topic string, msgs []*message.Message) error {
	limit := 0
	if p.limit != nil {
		var err error
		if limit, err = p.limit.BytesIn(msgs[0].Context(), exec); err != nil {
			return err
		}
	}
	fit := true
	for _, m := range msgs {
		fit = fit && sqldb.MessageFits(m, limit) == nil
	}
	if fit {
		err := p.insert(exec, topic, msgs...)
		if err != nil && p.limit != nil {
			p.limit.Forget() // a limit lowered since makes the server reset the connection
		}
		return err
	}
	for _, m := range msgs {
		err := sqldb.MessageFits(m, limit)
		if err == nil {
			err = p.insert(exec, topic, m)
		} else {
			err = p.copyOnServer(exec, topic, m, limit, err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// insert writes msgs to topic's table through exec in one statement.
func (p deadLetterPublisher) insert(exec wsql.ContextExecutor, topic string, msgs ...*message.Message) error {
	pub, err := wsql.NewPublisher(exec, wsql.PublisherConfig{SchemaAdapter: p.schema}, nil)
	if err != nil {
		return err
	}
	return pub.Publish(topic, msgs...)
}

// copyOnServer writes m, whose row is larger than limit (tooLarge says
// how), into topic's table through exec from its row on the server
// (sqldb.ServerCopyQuery): the outbox's row, else the held row (a row held
// for its destination, then found undeliverable), and logs it. Its
// reasons are first cut to what the copy can send (deadletter.Fit, the
// payload counted as not sent: sqldb.ServerCopyFits), as a reason quoting
// the payload would take the copy past the limit too.
func (p deadLetterPublisher) copyOnServer(exec wsql.ContextExecutor, topic string, m *message.Message, limit int, tooLarge error) error {
	deadletter.Fit(m.Metadata, func() bool { return sqldb.ServerCopyFits(m, limit) == nil }, "max_allowed_packet")
	names := wsql.DefaultMySQLSchema{} // the names of sqldb.WatermillSchema's tables on MySQL
	to, from := names.MessagesTable(topic), []string{names.MessagesTable(p.topic), newHeldTable(sourceflow.MySQL, p.topic).name}
	for _, table := range from {
		q, err := sqldb.ServerCopyQuery(table, to, m)
		if err != nil {
			return err
		}
		res, err := exec.ExecContext(m.Context(), q.Query, q.Args...)
		if err != nil {
			return fmt.Errorf("row %s does not fit in max_allowed_packet (%w), and copying it on the server failed: %w",
				sqldb.Shorten(m.UUID), tooLarge, err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			p.logger.Info("outbox: dead letter larger than the server's max_allowed_packet (its row was written under a larger one); "+
				"copied on the server from its row", watermill.LogFields{"topic": p.topic, "row_uuid": sourceflow.IDText(m.UUID),
				"from": table, "row_bytes": sqldb.MessageRowBytes(m), "max_allowed_packet": limit})
			return nil
		}
	}
	return fmt.Errorf("row %s does not fit in max_allowed_packet (%w), and is in neither %s nor %s to copy on the server",
		sqldb.Shorten(m.UUID), tooLarge, from[0], from[1])
}
