package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

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
//
// Each database call of a poll (its begin, each statement, its commit or
// rollback) gets at most bound, so that a connection gone silent ends the
// poll with an error instead of stalling the subscription for good (see
// boundedBeginner); 0 leaves them unbounded. Waiting for the advisory lock
// is bounded on the server by lock_timeout (bound), after which the poll
// begins again, and on the client by twice bound. knob names the setting
// that raises bound ("Config.AckDeadline"): a cut poll's error tells to
// raise it when the database is healthy but slower than bound, which
// would otherwise cut every poll; "" when there is none.
func WatermillBeginner(pkg string, d Dialect, db *sql.DB, topic, group string, bound time.Duration, knob string) wsql.Beginner {
	key := topic + "/" + group
	b := boundedBeginner{Beginner: wsql.BeginnerFromStdSQL(db), db: db, pkg: pkg, key: key, bound: bound, knob: knob, mysql: d == MySQL}
	if d == MySQL {
		return b
	}
	return pollLock{boundedBeginner: b}
}

// pollLock is a PostgreSQL database whose poll transactions start with the
// advisory lock of its key (a topic, which holds no "/", and a group); pkg
// names the public package in its errors.
type pollLock struct {
	boundedBeginner
}

// BeginTx begins a transaction and, for a poll, waits for the lock.
// watermill-sql begins its polls with the schema's isolation level and its
// other transactions (creating the tables and the offsets row when it
// subscribes) with nil options; those take no lock, so a Subscribe does not
// wait for another instance's batch. A wait for the lock longer than the
// bound (another instance's batch of slow handlers) ends on the server,
// the connection still answering, and the poll begins again.
func (p pollLock) BeginTx(ctx context.Context, opts *sql.TxOptions) (wsql.Tx, error) {
	for {
		tx, err := p.boundedBeginner.BeginTx(ctx, opts)
		if err != nil || opts == nil {
			return tx, err
		}
		err = p.lock(ctx, tx)
		if err == nil {
			return tx, nil
		}
		_ = tx.Rollback()
		if ctx.Err() != nil {
			err = ctx.Err() // the subscription closing, as SubscriberLogger recognises it
		}
		if !isLockTimeout(err) {
			return nil, fmt.Errorf("%s: lock the polls of %q: %w", p.pkg, p.key, err)
		}
	}
}

// lock takes the poll's advisory lock in tx, waiting at most the bound.
func (p pollLock) lock(ctx context.Context, tx wsql.Tx) error {
	const q = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
	bt, ok := tx.(*boundedTx)
	if !ok {
		_, err := tx.ExecContext(ctx, q, p.key)
		return err
	}
	// The subquery, volatile, runs first: lock_timeout applies to the lock.
	_, err := bt.execWithin(ctx, 2*p.bound, "lock", q+" FROM (SELECT set_config('lock_timeout', $2, true)) AS t",
		p.key, strconv.FormatInt(p.bound.Milliseconds(), 10))
	return err
}

// isLockTimeout reports whether err is PostgreSQL's lock_not_available,
// which a wait longer than lock_timeout ends with.
func isLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
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
