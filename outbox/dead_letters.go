package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
)

// DeadLetter is an outbox row the forwarder gave up on, kept in the table
// watermill_<Topic>_dead_letters.
type DeadLetter struct {
	// ID is the dead letter's position in its table (its "offset" column).
	ID int64
	// UUID is the id of the outbox row (the forwarder envelope's own id, not
	// the id of the message inside it).
	UUID string
	// Reason says why the row was dead-lettered (sourceflow.MetaFailure).
	Reason string
	// Payload is the row's payload as it was written: normally the forwarder
	// envelope, JSON holding the destination and the message.
	Payload []byte
	// Metadata is the row's metadata plus the reason.
	Metadata map[string]string
}

// DeadLetters returns the outbox's dead letters, oldest first, read with
// plain SQL. Only cfg.DB, cfg.Dialect and cfg.Topic are used. An outbox
// never bound has no dead-letter table and returns none.
func DeadLetters(ctx context.Context, cfg Config) ([]DeadLetter, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return nil, err
	}
	table := "watermill_" + deadLetterTopic(cfg.Topic)
	exists, err := tableExists(ctx, cfg, table)
	if err != nil || !exists {
		return nil, err
	}
	rows, err := cfg.DB.QueryContext(ctx, deadLettersQuery(cfg.Dialect, cfg.Topic))
	if err != nil {
		return nil, fmt.Errorf("outbox: read dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		d, err := scanDeadLetter(rows)
		if err != nil {
			return nil, fmt.Errorf("outbox: read dead letters: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: read dead letters: %w", err)
	}
	return out, nil
}

func deadLettersQuery(d Dialect, topic string) string {
	table := messagesTable(d, deadLetterTopic(topic))
	if d == MySQL {
		return "SELECT `offset`, `uuid`, `payload`, `metadata` FROM " + table + " ORDER BY `offset`"
	}
	return `SELECT "offset", "uuid", "payload", "metadata" FROM ` + table + ` ORDER BY "transaction_id", "offset"`
}

// tableExists reports whether table exists in the current schema
// (PostgreSQL: on the search path).
func tableExists(ctx context.Context, cfg Config, table string) (bool, error) {
	var n int
	var err error
	if cfg.Dialect == MySQL {
		err = cfg.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables "+
			"WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&n)
	} else {
		err = cfg.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT to_regclass($1) AS t) r WHERE r.t IS NOT NULL",
			`"`+table+`"`).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("outbox: look up table %s: %w", table, err)
	}
	return n > 0, nil
}

func scanDeadLetter(rows *sql.Rows) (DeadLetter, error) {
	var d DeadLetter
	var meta []byte
	if err := rows.Scan(&d.ID, &d.UUID, &d.Payload, &meta); err != nil {
		return DeadLetter{}, err
	}
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &d.Metadata); err != nil {
			return DeadLetter{}, fmt.Errorf("metadata of %s: %w", d.UUID, err)
		}
	}
	d.Reason = d.Metadata[sourceflow.MetaFailure]
	return d, nil
}

// deadLetterPublisher writes the rows Watermill's PoisonQueue middleware
// gives up on into the dead-letter table, in the forwarder's own
// transaction, so a row is dead-lettered exactly when its offset is
// acknowledged.
type deadLetterPublisher struct {
	db     *sql.DB
	schema wsql.SchemaAdapter
}

func (p deadLetterPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	var exec wsql.ContextExecutor = wsql.BeginnerFromStdSQL(p.db)
	if tx, ok := wsql.TxFromContext(msgs[0].Context()); ok {
		exec = tx
	}
	for _, m := range msgs {
		m.Metadata.Set(sourceflow.MetaFailure, m.Metadata.Get(middleware.ReasonForPoisonedKey))
	}
	pub, err := wsql.NewPublisher(exec, wsql.PublisherConfig{SchemaAdapter: p.schema}, nil)
	if err != nil {
		return err
	}
	return pub.Publish(topic, msgs...)
}

// Close does nothing: the publisher holds no resources of its own.
func (deadLetterPublisher) Close() error { return nil }
