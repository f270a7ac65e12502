package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// MetaBadRow is set on a message read from a watermill-sql table whose
// metadata column is not a JSON object of strings; its value says why. The
// row reaches the consumer, which dead-letters it, instead of failing every
// poll of the table.
const MetaBadRow = "sf_bad_row"

// WatermillSchema returns watermill-sql's default schema of d (PostgreSQL or
// MySQL), reading up to batch rows per query (0: watermill-sql's default)
// into payload columns of payloadType (nil: watermill-sql's default),
// reading a row with undecodable metadata as a message marked MetaBadRow,
// and on MySQL creating the uuid column in UTF-8 (see mysqlUUIDColumn). The
// errors of its reads start with pkg, the public package whose subscriber
// reads ("sqlbus: could not scan message row: …"): the subscriber logs
// them as they are.
func WatermillSchema(pkg string, d Dialect, batch int, payloadType func(topic string) string) wsql.SchemaAdapter {
	if d == MySQL {
		return mysqlSchema{wsql.DefaultMySQLSchema{GeneratePayloadType: payloadType, SubscribeBatchSize: batch}, pkg}
	}
	return postgresSchema{wsql.DefaultPostgreSQLSchema{GeneratePayloadType: payloadType, SubscribeBatchSize: batch}, pkg}
}

// WatermillOffsets returns watermill-sql's default offsets adapter of d:
// on MySQL one that creates a consumer group's offsets row on db before it
// subscribes (see mysqlOffsets); on PostgreSQL one that reads the row
// without locking it, for a subscriber polling through WatermillBeginner.
func WatermillOffsets(d Dialect, db *sql.DB) wsql.OffsetsAdapter {
	if d == MySQL {
		return mysqlOffsets{db: db}
	}
	return postgresOffsets{}
}

// mysqlOffsets is watermill-sql's MySQL offsets adapter, with the group's
// offsets row inserted (if missing) before subscribing. Each poll locks
// that row (SELECT ... FOR UPDATE), which is what keeps two instances of a
// group from reading the same messages; at READ COMMITTED (see
// mysqlSchema) a missing row locks nothing, so the first polls of a new
// group would not exclude each other.
type mysqlOffsets struct {
	wsql.DefaultMySQLOffsetsAdapter
	db *sql.DB
}

// offsetsRowCheck bounds the look for an existing offsets row.
const offsetsRowCheck = 10 * time.Second

// BeforeSubscribingQueries inserts the group's offsets row at offset 0
// unless a plain read finds it. The read takes no lock, so an instance
// starting while another holds the row for a long batch does not wait;
// INSERT IGNORE on an existing row would wait for that batch.
func (a mysqlOffsets) BeforeSubscribingQueries(p wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	ctx, cancel := context.WithTimeout(context.Background(), offsetsRowCheck)
	defer cancel()
	queries, _ := a.rowQueries(ctx, p) // a failed read leaves it to INSERT IGNORE
	return queries, nil
}

// rowQueries returns the INSERT IGNORE of the group's offsets row, or none
// when a plain read on ctx finds it, and the read's error other than no row.
func (a mysqlOffsets) rowQueries(ctx context.Context, p wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	table := a.MessagesOffsetsTable(p.Topic)
	var readErr error
	if a.db != nil {
		var one int
		switch readErr = a.db.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE consumer_group = ?", p.ConsumerGroup).Scan(&one); {
		case readErr == nil:
			return nil, nil
		case errors.Is(readErr, sql.ErrNoRows):
			readErr = nil
		}
	}
	return []wsql.Query{{
		Query: "INSERT IGNORE INTO " + table + " (consumer_group, offset_acked, offset_consumed) VALUES (?, 0, 0)",
		Args:  []any{p.ConsumerGroup},
	}}, readErr
}

// OffsetsRowQueries returns the statements that insert a consumer group's
// offsets row of a topic when it is missing, as the offsets adapter of d
// runs them before subscribing, but looking on ctx (MySQL reads first, see
// mysqlOffsets): for a caller that inserts the row itself, on a context it
// controls. An error is the failed read.
func OffsetsRowQueries(ctx context.Context, d Dialect, db *sql.DB, p wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	if d == MySQL {
		return mysqlOffsets{db: db}.rowQueries(ctx, p)
	}
	return wsql.DefaultPostgreSQLOffsetsAdapter{}.BeforeSubscribingQueries(p)
}

// postgresSchema is watermill-sql's PostgreSQL schema read as WatermillSchema
// says; pkg names the public package in its errors.
type postgresSchema struct {
	wsql.DefaultPostgreSQLSchema
	pkg string
}

// SubscribeIsolationLevel is READ COMMITTED, not watermill-sql's REPEATABLE
// READ: a poll takes its advisory lock (WatermillBeginner) in a statement
// of its own, and its select, in a snapshot of its own, then sees what the
// lock's previous holder committed. A repeatable read would keep the
// snapshot of the lock statement, taken before the wait.
func (postgresSchema) SubscribeIsolationLevel() sql.IsolationLevel { return sql.LevelReadCommitted }

// UnmarshalMessage reads the columns of DefaultPostgreSQLSchema's select.
func (s postgresSchema) UnmarshalMessage(p wsql.UnmarshalMessageParams) (wsql.Row, error) {
	var r wsql.Row
	var xid wsql.XID8
	if err := p.Row.Scan(&r.Offset, &xid, &r.UUID, &r.Payload, &r.Metadata); err != nil {
		return wsql.Row{}, fmt.Errorf("%s: could not scan message row: %w", s.pkg, err)
	}
	r.Msg = rowMessage(r)
	r.ExtraData = map[string]any{"transaction_id": xid}
	return r, nil
}

// mysqlSchema is watermill-sql's MySQL schema read as WatermillSchema says;
// pkg names the public package in its errors.
type mysqlSchema struct {
	wsql.DefaultMySQLSchema
	pkg string
}

// SubscribeIsolationLevel is READ COMMITTED, not watermill-sql's
// SERIALIZABLE. A serializable read locks the table's end until its batch
// commits, and the batch commits only after its messages were handled, so
// a handler publishing to a table being read (its own, or one whose
// reader's handler publishes back) waits for itself. watermill-sql reads
// serializably so that a row whose AUTO_INCREMENT offset was handed out
// before a higher one's but committed after it is not skipped; the writers
// of this module commit the rows of a topic one at a time instead (sqlbus
// under a named lock around each insert, the outbox under a lock row held
// until the caller's commit), so offsets become visible in order and a
// committed read skips nothing. Rows written concurrently by other
// watermill-sql publishers lose that guarantee.
func (mysqlSchema) SubscribeIsolationLevel() sql.IsolationLevel { return sql.LevelReadCommitted }

// UnmarshalMessage reads the columns of DefaultMySQLSchema's select.
func (s mysqlSchema) UnmarshalMessage(p wsql.UnmarshalMessageParams) (wsql.Row, error) {
	var r wsql.Row
	if err := p.Row.Scan(&r.Offset, &r.UUID, &r.Payload, &r.Metadata); err != nil {
		return wsql.Row{}, fmt.Errorf("%s: could not scan message row: %w", s.pkg, err)
	}
	r.Msg = rowMessage(r)
	return r, nil
}

// rowMessage returns the message of a row. Metadata that is not a JSON
// object of strings is not an error here: the message is marked with
// MetaBadRow instead.
func rowMessage(r wsql.Row) *message.Message {
	msg := message.NewMessage(string(r.UUID), r.Payload)
	if r.Metadata == nil {
		return msg
	}
	var meta message.Metadata
	if err := json.Unmarshal(r.Metadata, &meta); err != nil {
		msg.Metadata.Set(MetaBadRow, badMetadata(err))
		return msg
	}
	for k, v := range meta {
		msg.Metadata.Set(k, v)
	}
	return msg
}

// badMetadata says why a metadata column could not be decoded (err).
func badMetadata(err error) string {
	return fmt.Sprintf("metadata column is not a JSON object of strings: %v", err)
}
