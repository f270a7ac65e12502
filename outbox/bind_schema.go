package outbox

import (
	"context"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// schemaTimeout bounds the creation of one topic's tables, as watermill-sql's
// SubscribeInitialize does, when Bind's context has no earlier deadline.
const schemaTimeout = 60 * time.Second

// initSchema creates the outbox table, its offsets table, the
// dead-letter table and the held table when they are missing, on MySQL the topic's write lock,
// and, unless Config.DisableForwarder, the forwarders' offsets row. On
// PostgreSQL it warns, through Config.Logger, of the outbox or dead-letter
// table an earlier release created with a created_at without time zone
// (sqldb.WarnZoneless, one query for both), never altering it. Writing
// into the outbox inside a caller's transaction cannot create them (DDL may
// commit it), so Bind does it first. It runs watermill-sql's schema
// statements itself, on ctx: SubscribeInitialize, and the forwarder's
// Subscribe, would run them on contexts Bind cannot end.
func initSchema(ctx context.Context, cfg Config) error {
	for _, topic := range []string{cfg.Topic, deadLetterTopic(cfg.Topic)} {
		if err := createTables(ctx, cfg, topic); err != nil {
			return fmt.Errorf("outbox: create the tables of %q: %w", topic, err)
		}
	}
	_ = sqldb.WarnZoneless(ctx, cfg.DB, cfg.Dialect, cfg.Logger, "outbox", "watermill_"+cfg.Topic, deadLetterTable(cfg.Topic)) // logged at debug when it fails
	if err := createHeldTable(ctx, cfg); err != nil {
		return fmt.Errorf("outbox: create the held table of %q: %w", cfg.Topic, err)
	}
	if !cfg.DisableForwarder {
		if err := initOffsetsRow(ctx, cfg); err != nil {
			return err
		}
	}
	if cfg.Dialect == sourceflow.MySQL {
		return initMySQLLock(ctx, cfg.DB, cfg.Topic)
	}
	return nil
}

// createTables runs the statements of watermill-sql's SubscribeInitialize
// for topic: its messages table and its offsets table, in a transaction when
// the schema asks for one (PostgreSQL's takes an advisory lock in it).
func createTables(ctx context.Context, cfg Config, topic string) error {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeout)
	defer cancel()
	schema := schemaAdapter(cfg.Dialect)
	queries, err := schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	if err != nil {
		return err
	}
	offsets, err := offsetsAdapter(cfg.Dialect).SchemaInitializingQueries(wsql.OffsetsSchemaInitializingQueriesParams{Topic: topic})
	if err != nil {
		return err
	}
	return sqldb.ExecSchema(ctx, cfg.DB, schema, append(queries, offsets...))
}

// createHeldTable creates the table of the outbox's held rows
// (heldTable) when it is missing (on MySQL, and its destination_key when
// an earlier build created it without: addHeldKey). On PostgreSQL it does so in a
// transaction that first takes an advisory lock of the table, so that
// instances binding at once do not collide creating it (concurrent CREATE
// TABLE IF NOT EXISTS can fail there), as watermill-sql's schema does.
func createHeldTable(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeout)
	defer cancel()
	var queries []wsql.Query
	for _, q := range newHeldTable(cfg.Dialect, cfg.Topic).createStatements(cfg.Topic) {
		queries = append(queries, wsql.Query{Query: q})
	}
	if cfg.Dialect == sourceflow.MySQL {
		if err := sqldb.ExecSchema(ctx, cfg.DB, nil, queries); err != nil {
			return err
		}
		return addHeldKey(ctx, cfg.DB, cfg.Topic)
	}
	lock := wsql.Query{Query: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Args: []any{heldPrefix + cfg.Topic}}
	return sqldb.ExecInTx(ctx, cfg.DB, append([]wsql.Query{lock}, queries...))
}
