package outbox

import (
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// deadLetterSuffix follows Topic in the name of the dead-letter topic.
const deadLetterSuffix = "_dead_letters"

// consumerGroup is the one consumer group every forwarder reads the outbox
// in, so each row is forwarded by one instance.
const consumerGroup = "sourceflow_outbox_forwarder"

// deadLetterTopic returns the topic of the dead letters of the outbox topic.
func deadLetterTopic(topic string) string { return topic + deadLetterSuffix }

// deadLetterTable returns the table of the dead letters of the outbox topic.
func deadLetterTable(topic string) string { return "watermill_" + deadLetterTopic(topic) }

// schemaAdapter returns watermill-sql's default schema of the dialect,
// reading rows so that a row with undecodable metadata reaches the
// forwarder (to be dead-lettered) instead of failing every poll.
func schemaAdapter(d sourceflow.Dialect) wsql.SchemaAdapter {
	return sqldb.WatermillSchema("outbox", d, 0, nil)
}

// offsetsAdapter returns the offsets adapter of the outbox tables. Its
// BeforeSubscribingQueries inserts a group's offsets row without looking for
// it first (sqldb's adapter on MySQL looks on a database it is given; this
// one is given none): initOffsetsRow looks, on Bind's context.
func offsetsAdapter(d sourceflow.Dialect) wsql.OffsetsAdapter {
	return sqldb.WatermillOffsets(d, nil)
}
