package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// WatermillBeginner returns the database a watermill-sql subscriber of topic
// in consumer group polls through. On MySQL it is db. On PostgreSQL each
// poll's transaction first takes a transaction-scoped advisory lock of the
// topic and group, so that the instances of a group take turns as the
// offsets row's FOR UPDATE made them, but without a transaction id: the
// offsets adapter of WatermillOffsets reads the row without locking it,
// and the poll writes nothing until it acknowledges. A poll therefore holds
// back no other reader of the database while its handlers run (a reader
// sees a row only once every transaction with an older id has ended). Use
// the two together, and WatermillSchema's READ COMMITTED reads, which see
// what the previous holder of the lock committed. The errors of its own
// statements start with pkg, the public package whose subscriber polls
// ("sqlbus: lock the polls of …"): the subscriber logs them as they are.
func WatermillBeginner(pkg string, d Dialect, db *sql.DB, topic, group string) wsql.Beginner {
	if d == MySQL {
		return wsql.BeginnerFromStdSQL(db)
	}
	return pollLock{Beginner: wsql.BeginnerFromStdSQL(db), pkg: pkg, key: topic + "/" + group}
}

// pollLock is a PostgreSQL database whose poll transactions start with the
// advisory lock of key (a topic, which holds no "/", and a group); pkg
// names the public package in its errors.
type pollLock struct {
	wsql.Beginner
	pkg string
	key string
}

// BeginTx begins a transaction and, for a poll, waits for the lock.
// watermill-sql begins its polls with the schema's isolation level and its
// other transactions (creating the tables and the offsets row when it
// subscribes) with nil options; those take no lock, so a Subscribe does not
// wait for another instance's batch.
func (p pollLock) BeginTx(ctx context.Context, opts *sql.TxOptions) (wsql.Tx, error) {
	tx, err := p.Beginner.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		return tx, nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", p.key); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("%s: lock the polls of %q: %w", p.pkg, p.key, err)
	}
	return tx, nil
}

// postgresOffsets is watermill-sql's PostgreSQL offsets adapter reading a
// group's offsets row without FOR UPDATE, which would give the poll a
// transaction id for as long as its handlers run: the poll's advisory lock
// (WatermillBeginner) keeps the group's instances apart instead.
type postgresOffsets struct {
	wsql.DefaultPostgreSQLOffsetsAdapter
}

// NextOffsetQuery reads the group's position, or the start when the group
// has no offsets row (its row was deleted while it ran, see ForgetGroup):
// the poll then reads from the first row kept, and its acknowledgement
// inserts the row again, as on MySQL. Without the start, the select would
// compare with no position and read nothing until the next Subscribe.
func (a postgresOffsets) NextOffsetQuery(p wsql.NextOffsetQueryParams) (wsql.Query, error) {
	table := a.MessagesOffsetsTable(p.Topic)
	return wsql.Query{
		Query: "SELECT offset_acked, last_processed_transaction_id FROM " + table + " WHERE consumer_group = $1" +
			" UNION ALL SELECT 0, '0'::xid8 WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE consumer_group = $1)",
		Args: []any{p.ConsumerGroup},
	}, nil
}
