package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"maps"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// DeadLetters returns the outbox's dead letters, oldest first, read with
// plain SQL from the table watermill_<Topic>_dead_letters. Each is a
// cqrs.DeadLetter whose Destination is the outbox topic and whose Message is
// the row as it was written (normally the forwarder envelope, JSON holding
// the destination and the message; its UUID is the envelope's own id) with
// its metadata and the reason (sourceflow.MetaFailure); Deliveries is not
// recorded (0). Only cfg.DB, cfg.Dialect and cfg.Topic are used. An outbox
// never bound has no dead-letter table and returns none.
func DeadLetters(ctx context.Context, cfg Config) ([]cqrs.DeadLetter, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return nil, err
	}
	rows, err := sqldb.ReadWatermillTable(ctx, cfg.DB, cfg.Dialect, "watermill_"+deadLetterTopic(cfg.Topic))
	if err != nil {
		return nil, fmt.Errorf("outbox: read dead letters: %w", err)
	}
	out := make([]cqrs.DeadLetter, len(rows))
	for i, r := range rows {
		msg := message.NewMessage(r.UUID, r.Payload)
		maps.Copy(msg.Metadata, r.Metadata)
		out[i] = cqrs.DeadLetter{Destination: cfg.Topic, Message: msg, Reason: r.Metadata[sourceflow.MetaFailure]}
	}
	return out, nil
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
