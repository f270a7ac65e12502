package outbox

import (
	"encoding/json"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// deadLetterSuffix follows Topic in the name of the dead-letter topic.
const deadLetterSuffix = "_dead_letters"

// consumerGroup is the one consumer group every forwarder reads the outbox
// in, so each row is forwarded by one instance.
const consumerGroup = "sourceflow_outbox_forwarder"

// metaBadRow is set on an outbox row whose metadata column could not be
// decoded; the forwarder dead-letters such a row with the value as reason.
const metaBadRow = "sf_outbox_bad_row"

// deadLetterTopic returns the topic of the dead letters of the outbox topic.
func deadLetterTopic(topic string) string { return topic + deadLetterSuffix }

// schemaAdapter returns watermill-sql's default schema of the dialect,
// reading rows so that a row with undecodable metadata reaches the
// forwarder (to be dead-lettered) instead of failing every poll.
func schemaAdapter(d Dialect) wsql.SchemaAdapter {
	if d == MySQL {
		return mysqlSchema{}
	}
	return postgresSchema{}
}

func offsetsAdapter(d Dialect) wsql.OffsetsAdapter {
	if d == MySQL {
		return wsql.DefaultMySQLOffsetsAdapter{}
	}
	return wsql.DefaultPostgreSQLOffsetsAdapter{}
}

type postgresSchema struct{ wsql.DefaultPostgreSQLSchema }

// UnmarshalMessage reads the columns of DefaultPostgreSQLSchema's select.
func (postgresSchema) UnmarshalMessage(p wsql.UnmarshalMessageParams) (wsql.Row, error) {
	var r wsql.Row
	var xid wsql.XID8
	if err := p.Row.Scan(&r.Offset, &xid, &r.UUID, &r.Payload, &r.Metadata); err != nil {
		return wsql.Row{}, fmt.Errorf("could not scan message row: %w", err)
	}
	r.Msg = rowMessage(r)
	r.ExtraData = map[string]any{"transaction_id": xid}
	return r, nil
}

type mysqlSchema struct{ wsql.DefaultMySQLSchema }

// UnmarshalMessage reads the columns of DefaultMySQLSchema's select.
func (mysqlSchema) UnmarshalMessage(p wsql.UnmarshalMessageParams) (wsql.Row, error) {
	var r wsql.Row
	if err := p.Row.Scan(&r.Offset, &r.UUID, &r.Payload, &r.Metadata); err != nil {
		return wsql.Row{}, fmt.Errorf("could not scan message row: %w", err)
	}
	r.Msg = rowMessage(r)
	return r, nil
}

// rowMessage returns the message of an outbox row. Metadata that is not a
// JSON object of strings is not an error here: the message is marked with
// metaBadRow, so the forwarder dead-letters it.
func rowMessage(r wsql.Row) *message.Message {
	msg := message.NewMessage(string(r.UUID), r.Payload)
	if r.Metadata == nil {
		return msg
	}
	var meta message.Metadata
	if err := json.Unmarshal(r.Metadata, &meta); err != nil {
		msg.Metadata.Set(metaBadRow, fmt.Sprintf("metadata column is not a JSON object of strings: %v", err))
		return msg
	}
	for k, v := range meta {
		msg.Metadata.Set(k, v)
	}
	return msg
}
