package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// MoveWatermillRows moves rows, read from table from (as EachWatermillPage
// gives them), into the table of topic, within tx, and returns how many it
// moved: each row still in from (another transaction may have taken it) is
// deleted from it and published to topic with schema, same message id,
// without the metadata keys in strip and with one more redrive counted
// (sourceflow.CountRedrive). It writes one INSERT per row: the
// rows together can exceed the largest statement a server accepts (MySQL's
// max_allowed_packet) while each, written alone once, fits. The caller
// commits tx, and on MySQL holds whatever lock keeps topic's rows
// committing in offset order.
func MoveWatermillRows(ctx context.Context, tx *sql.Tx, d Dialect, schema wsql.SchemaAdapter, logger watermill.LoggerAdapter,
	from, topic string, rows []WatermillRow, strip []string) (int, error) {
	var msgs []*message.Message
	now := time.Now()
	for _, r := range rows {
		taken, err := TakeWatermillRow(ctx, tx, d, from, r)
		if err != nil {
			return 0, err
		}
		if !taken {
			continue
		}
		m := r.Message()
		m.SetContext(ctx) // watermill-sql inserts on the message's context
		for _, k := range strip {
			delete(m.Metadata, k)
		}
		sourceflow.CountRedrive(m.Metadata, now)
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	pub, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: schema}, logger)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := pub.Publish(topic, m); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}
