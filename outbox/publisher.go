package outbox

import (
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// publisher writes messages whose context carries a transaction on the
// outbox's database into the outbox, in that transaction, and publishes
// those without a transaction straight to the inner transport. A message in
// a transaction on another database is refused (ErrForeignTransaction):
// sending it at once would send it even if that transaction rolled back.
type publisher struct {
	cfg    *Config
	topic  func() string // the outbox's Topic, "" before the Bind that names it
	direct message.Publisher
	limit  *sqldb.PacketLimit // the server's max_allowed_packet on MySQL
}

// Publish publishes msgs in order, each run of consecutive messages sharing
// a transaction (or none) in one step. A message the outbox must refuse (see
// check) fails the call before any is published.
func (p *publisher) Publish(destination string, msgs ...*message.Message) error {
	if err := p.check(destination, msgs); err != nil {
		return err
	}
	for start := 0; start < len(msgs); {
		tx := sqldb.TxFor(msgs[start].Context(), p.cfg.DB)
		end := start + 1
		for end < len(msgs) && sqldb.TxFor(msgs[end].Context(), p.cfg.DB) == tx {
			end++
		}
		if err := p.publishRun(destination, tx, msgs[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// check refuses, permanently, a message in a transaction on another
// database (ErrForeignTransaction) and one to be written into the outbox
// whose id or metadata is not valid UTF-8 (ErrInvalidMessage): the outbox
// stores them as JSON, which would replace each invalid byte with U+FFFD.
// On MySQL it also refuses one whose row would not fit in the server's
// max_allowed_packet (ErrInvalidMessage), which the server would refuse at
// times with nothing but "driver: bad connection".
func (p *publisher) check(destination string, msgs []*message.Message) error {
	for _, m := range msgs {
		if sqldb.TxFromContext(m.Context()) == nil {
			continue // published straight to the inner transport, which checks it
		}
		if sqldb.TxFor(m.Context(), p.cfg.DB) == nil {
			return sourceflow.Permanent(fmt.Errorf("%w: message %s for %q", ErrForeignTransaction, m.UUID, destination))
		}
		err := errors.New("its id is not valid UTF-8")
		if utf8.ValidString(m.UUID) {
			err = sqldb.CheckMetadataUTF8(m.Metadata)
		}
		if err == nil {
			err = p.checkSize(destination, m)
		}
		var unread readLimitError
		if errors.As(err, &unread) {
			return fmt.Errorf("outbox: message %s for %q: %w", sqldb.Shorten(m.UUID), destination, unread.error)
		}
		if err != nil {
			return sourceflow.Permanent(fmt.Errorf("%w: message %s for %q: %w", ErrInvalidMessage, sqldb.Shorten(m.UUID), destination, err))
		}
	}
	return nil
}

// checkSize reports why m's outbox row would not fit in the MySQL
// server's max_allowed_packet, reading it in m's transaction; nil on
// PostgreSQL. An error reading it is returned as it is, not permanent.
func (p *publisher) checkSize(destination string, m *message.Message) error {
	if p.cfg.Dialect != sourceflow.MySQL {
		return nil
	}
	limit, err := p.limit.Bytes(m.Context(), sqldb.TxFromContext(m.Context()))
	if err != nil {
		return readLimitError{err}
	}
	n, err := rowBytes(destination, m)
	if err != nil {
		return err
	}
	if err := sqldb.CheckPacket(n, limit); err != nil {
		return fmt.Errorf("%w (payload %d bytes, base64 in the envelope)", err, len(m.Payload))
	}
	return nil
}

// readLimitError is a failure to read the server's packet limit: the
// message may be fine, so the publish fails without refusing it for good.
type readLimitError struct{ error }

func (e readLimitError) Unwrap() error { return e.error }

func (p *publisher) publishRun(destination string, tx *sql.Tx, msgs []*message.Message) error {
	if tx == nil {
		return p.direct.Publish(destination, msgs...)
	}
	ctx := msgs[0].Context()
	if err := sqldb.Ended(ctx); err != nil {
		return fmt.Errorf("outbox: write %d message(s) for %q into the outbox: %w", len(msgs), destination, err)
	}
	topic := p.topic()
	if topic == "" {
		return fmt.Errorf("outbox: write %d message(s) for %q into the outbox: %w", len(msgs), destination, errUnnamed)
	}
	if p.cfg.Dialect == sourceflow.MySQL {
		if err := lockForWrite(ctx, tx, topic); err != nil {
			return fmt.Errorf("outbox: %w", sqldb.Note(ctx, err))
		}
	}
	// A watermill-sql publisher on a transaction is a cheap value: it
	// holds the transaction and the schema, nothing else.
	rows, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: schemaAdapter(p.cfg.Dialect)}, p.cfg.Logger)
	if err != nil {
		return fmt.Errorf("outbox: publisher on the transaction: %w", err)
	}
	out := forwarder.NewPublisher(rows, forwarder.PublisherConfig{ForwarderTopic: topic})
	for _, run := range p.statements(destination, msgs) {
		if err := out.Publish(destination, run...); err != nil {
			return fmt.Errorf("outbox: write %d message(s) for %q into the outbox: %w", len(msgs), destination, sqldb.Note(ctx, err))
		}
	}
	return nil
}

// statements splits msgs into the runs written in one INSERT each: on
// MySQL, runs whose outbox rows fit together in the server's
// max_allowed_packet (each row fits on its own: see check); elsewhere one.
// The runs are written in the caller's transaction, so all or none are.
func (p *publisher) statements(destination string, msgs []*message.Message) [][]*message.Message {
	if p.cfg.Dialect != sourceflow.MySQL {
		return [][]*message.Message{msgs}
	}
	limit, err := p.limit.Bytes(msgs[0].Context(), sqldb.TxFromContext(msgs[0].Context()))
	if err != nil {
		return [][]*message.Message{msgs} // read by check already: not reached
	}
	size := func(m *message.Message) int {
		n, _ := rowBytes(destination, m) // an error was refused by check
		return n
	}
	return sqldb.SplitRows(msgs, size, limit)
}

// Close does nothing: the inner transport owns its publishers.
func (*publisher) Close() error { return nil }
