package sqlbus

import (
	"database/sql"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// subscribeBatchSize is how many messages one subscription reads per query.
// They are still delivered one at a time, in one transaction that holds the
// consumer group's lock (on MySQL its offsets row, on PostgreSQL an
// advisory lock: see the package documentation); a smaller batch commits
// sooner, so the group's other instances get their turn sooner and a crash
// leaves fewer messages to be read again.
const subscribeBatchSize = 10

// pollLogInterval is how often a subscription logs its failed polls while
// they go on failing (sqldb.PollLog): watermill-sql retries a failed poll,
// and logs it, about once a second.
const pollLogInterval = time.Minute

// NewTransport returns a SourceFlow transport on watermill-sql: every
// destination is a table (see Topic), a service's instances share a
// consumer group named after the service, and a destination's dead letters
// go, with their reason, to the table of DeadLetterTopic. Build one per
// service, on the same database; the tables are created on first use.
// Its first Publish or Subscribe checks whether its connection to the
// database crosses a network in clear text, and if so warns of it once
// (at Info on a logger without a Warn method), with what to set in the
// DSN (see the package documentation).
func NewTransport(cfg Config) (*cqrs.PubSubTransport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	schema, offsets := adapters(cfg.Dialect, cfg.DB)
	zoneless := newZonelessCheck(cfg)
	pub, err := publisher(cfg, schema, zoneless)
	if err != nil {
		return nil, err
	}
	check := newPlaintextCheck(cfg)
	return cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:       plaintextCheckPublisher{Publisher: pub, check: check},
		Subscriber:      subscriberFactory(cfg, schema, offsets, check, zoneless),
		Topic:           Topic,
		DeadLetterTopic: DeadLetterTopic,
		Capabilities:    cqrs.Capabilities{ConsumerGroups: true, Ordered: true},
		MaxDeliveries:   cfg.MaxDeliveries,
		RedeliveryDelay: cfg.RedeliveryDelay,
		CloseTimeout:    cfg.CloseTimeout,
		TypeFilter:      &typeFilter{db: cfg.DB, dialect: cfg.Dialect},
		Logger:          cfg.Logger,
	})
}

// publisher returns the publisher of every topic: watermill-sql's on
// PostgreSQL (creating a topic's table on the publish's context: see
// tables), one that serializes the inserts of a topic on MySQL (see
// mysqlPublisher), each refusing first the messages a table cannot hold
// unchanged (see checkedPublisher).
func publisher(cfg Config, schema wsql.SchemaAdapter, zoneless *zonelessCheck) (message.Publisher, error) {
	if cfg.Dialect == sourceflow.MySQL {
		return checkedPublisher{Publisher: newMySQLPublisher(cfg.DB, schema), db: cfg.DB, limit: &sqldb.PacketLimit{},
			logger: cfg.Logger}, nil
	}
	pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(cfg.DB), wsql.PublisherConfig{SchemaAdapter: schema}, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("sqlbus: publisher: %w", err)
	}
	return checkedPublisher{Publisher: &postgresPublisher{pub: pub, tables: newTables(cfg.DB, schema, zoneless)}}, nil
}

// subscriberFactory returns the function that subscribes a service (the
// consumer group) to a topic, pruning what every group consumed. A group
// the offsets tables cannot hold is refused first (checkGroup), and so is
// a subscription the pool of cfg.DB cannot serve (poolCheck). Each
// subscription logs its failed polls through its own sqldb.PollLog.
func subscriberFactory(cfg Config, schema wsql.SchemaAdapter, offsets wsql.OffsetsAdapter, check *plaintextCheck,
	zoneless *zonelessCheck) func(topic, group string) (message.Subscriber, error) {
	deadline := cfg.AckDeadline
	pool := &poolCheck{db: cfg.DB}
	return func(topic, group string) (message.Subscriber, error) {
		if err := checkGroup(cfg.Dialect, group); err != nil {
			return nil, err
		}
		if err := pool.open(topic, group); err != nil {
			return nil, err
		}
		pollLog := sqldb.NewPollLog(cfg.Logger, pollLogInterval)
		beginner := pollLog.Beginner(sqldb.WatermillBeginner("sqlbus", cfg.Dialect, cfg.DB, topic, group, cfg.AckDeadline, "Config.AckDeadline"))
		sub, err := wsql.NewSubscriber(beginner, wsql.SubscriberConfig{
			ConsumerGroup:    group,
			AckDeadline:      &deadline,
			PollInterval:     cfg.PollInterval,
			SchemaAdapter:    schema,
			OffsetsAdapter:   offsets,
			InitializeSchema: true,
		}, pollLog.Logger())
		if err != nil {
			pool.closed()
			return nil, fmt.Errorf("sqlbus: subscriber of %q in group %q: %w", topic, group, err)
		}
		return pool.counted(newPruningSubscriber(sub, cfg, check, zoneless)), nil
	}
}

// adapters returns watermill-sql's default schema and offsets adapters for
// d, with a binary payload column so that any body (JSON, encrypted,
// protobuf) travels unchanged, and reading a row whose metadata does not
// decode as a message marked with why, which the service dead-letters
// (it has no SourceFlow envelope) instead of failing every poll.
func adapters(d sourceflow.Dialect, db *sql.DB) (wsql.SchemaAdapter, wsql.OffsetsAdapter) {
	return sqldb.WatermillSchema("sqlbus", d, subscribeBatchSize, payloadType(d)), sqldb.WatermillOffsets(d, db)
}

// payloadType is the type of the payload column.
func payloadType(d sourceflow.Dialect) func(string) string {
	t := "BYTEA"
	if d == sourceflow.MySQL {
		t = "LONGBLOB"
	}
	return func(string) string { return t }
}
