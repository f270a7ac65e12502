package sqlbus

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// lockTimeoutSeconds bounds the wait for a topic's publish lock.
const lockTimeoutSeconds = 30

// lockWaitBound bounds the GET_LOCK call on the client: the server answers
// within lockTimeoutSeconds, so past this margin it stopped answering, and
// the publish fails instead of waiting for good on a context without a
// deadline. Ending the call closes the connection, which frees the lock if
// the server granted it.
const lockWaitBound = lockTimeoutSeconds*time.Second + 10*time.Second

// mysqlPublisher publishes to watermill-sql's default MySQL schema one
// publisher at a time per topic, under the named lock "sqlbus:<topic>".
//
// watermill-sql's own publisher lets inserts run concurrently. InnoDB hands
// out an AUTO_INCREMENT offset before it writes the row, so a subscriber can
// read and acknowledge a higher offset while a lower one is still being
// written; the lower one is then behind the group's offset and never
// delivered (seen losing 2–15 of 800 messages with 8 concurrent
// publishers). With one insert per topic at a time, each committed before
// the next begins, no higher offset exists while a lower one is pending, so
// subscriptions can read at READ COMMITTED without locking the table's end
// (see sqldb.WatermillSchema). A topic's table is created on the first
// publish's context (see tables).
type mysqlPublisher struct {
	db     *sql.DB
	schema wsql.SchemaAdapter
	tables *tables
}

func newMySQLPublisher(db *sql.DB, schema wsql.SchemaAdapter) *mysqlPublisher {
	return &mysqlPublisher{db: db, schema: schema, tables: newTables(db, schema, nil)}
}

// Publish inserts msgs into topic's table in one statement.
func (p *mysqlPublisher) Publish(topic string, msgs ...*message.Message) error {
	return p.publishRuns(topic, [][]*message.Message{msgs})
}

// publishRuns inserts the messages of runs, in order, into topic's table,
// one statement per run; several runs are inserted in one transaction, so
// that all of them are stored or none.
func (p *mysqlPublisher) publishRuns(topic string, runs [][]*message.Message) error {
	runs = slices.DeleteFunc(runs, func(run []*message.Message) bool { return len(run) == 0 })
	if len(runs) == 0 {
		return nil
	}
	if !watermillTopic(topic) {
		return fmt.Errorf("sqlbus: %q: %w", topic, wsql.ErrInvalidTopicName)
	}
	ctx := runs[0][0].Context()
	if err := p.tables.create(ctx, topic); err != nil {
		return fmt.Errorf("sqlbus: %w", err)
	}
	inserts := make([]wsql.Query, len(runs))
	for i, run := range runs {
		insert, err := p.schema.InsertQuery(wsql.InsertQueryParams{Topic: topic, Msgs: run})
		if err != nil {
			return fmt.Errorf("sqlbus: insert into %q: %w", topic, err)
		}
		inserts[i] = insert
	}
	return p.locked(ctx, topic, func(conn *sql.Conn) error { return insertAll(ctx, conn, inserts) })
}

// copyOnServer writes dead letter m into topic's table, a dead-letter
// topic's, from its row in the table of the topic it was read from,
// without its payload crossing the wire (see sqldb.ServerCopyQuery), under
// topic's publish lock: for a dead letter larger than the server's
// max_allowed_packet. A topic watermill-sql refuses is refused before any
// statement, as publishRuns refuses it.
func (p *mysqlPublisher) copyOnServer(topic string, m *message.Message) error {
	if !watermillTopic(topic) {
		return fmt.Errorf("sqlbus: %q: %w", topic, wsql.ErrInvalidTopicName)
	}
	from := strings.TrimSuffix(topic, deadLetterSuffix)
	ctx := m.Context()
	if err := p.tables.create(ctx, topic); err != nil {
		return fmt.Errorf("sqlbus: %w", err)
	}
	names := wsql.DefaultMySQLSchema{} // the names of sqldb.WatermillSchema's tables on MySQL
	q, err := sqldb.ServerCopyQuery(names.MessagesTable(from), names.MessagesTable(topic), m)
	if err != nil {
		return fmt.Errorf("sqlbus: copy message %s into %q: %w", sqldb.Shorten(m.UUID), topic, err)
	}
	return p.locked(ctx, topic, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, q.Query, q.Args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("message %s is no longer in %q to copy from", sqldb.Shorten(m.UUID), from)
		}
		return nil
	})
}

// locked runs fn on a connection holding topic's publish lock.
func (p *mysqlPublisher) locked(ctx context.Context, topic string, fn func(*sql.Conn) error) error {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlbus: publish to %q: %w", topic, err)
	}
	defer conn.Close()
	unlock, err := lockTopic(ctx, conn, topic)
	if err != nil {
		return fmt.Errorf("sqlbus: %w", err)
	}
	err = fn(conn)
	if err = errors.Join(err, unlock()); err != nil {
		return fmt.Errorf("sqlbus: publish to %q: %w", topic, err)
	}
	return nil
}

// insertAll runs inserts on conn: one on its own, several in one
// transaction.
func insertAll(ctx context.Context, conn *sql.Conn, inserts []wsql.Query) error {
	if len(inserts) == 1 {
		_, err := conn.ExecContext(ctx, inserts[0].Query, inserts[0].Args...)
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, insert := range inserts {
		if _, err := tx.ExecContext(ctx, insert.Query, insert.Args...); err != nil {
			return errors.Join(err, tx.Rollback())
		}
	}
	return tx.Commit()
}

// releaseTimeout bounds the release of a topic's publish lock.
const releaseTimeout = 10 * time.Second

// lockTopic takes topic's publish lock, the named lock "sqlbus:<topic>",
// on conn, waiting up to lockTimeoutSeconds (lockWaitBound on the client),
// and returns the function that releases it: on a context that ctx's end
// does not cancel, so a publish whose context ended still releases the lock
// it holds, but within releaseTimeout, so a server that stopped answering
// fails the publish instead of holding it for good. A wait the server cut
// short (GET_LOCK answers NULL) fails saying so. When the lock or its
// release fails, conn is closed (see discard).
func lockTopic(ctx context.Context, conn *sql.Conn, topic string) (unlock func() error, err error) {
	name := "sqlbus:" + topic
	var got sql.NullInt64
	lockCtx, cancel := context.WithTimeout(ctx, lockWaitBound)
	defer cancel()
	if err := conn.QueryRowContext(lockCtx, "SELECT GET_LOCK(?, ?)", name, lockTimeoutSeconds).Scan(&got); err != nil {
		discard(conn)
		if ctx.Err() == nil && lockCtx.Err() != nil {
			return nil, fmt.Errorf("lock %q: the server did not answer within %s: %w", name, lockWaitBound, err)
		}
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	switch {
	case !got.Valid:
		return nil, fmt.Errorf("lock %q: the server ended the wait without granting it (GET_LOCK returned NULL: "+
			"a statement time limit, such as max_statement_time or max_execution_time, or a KILL QUERY cut it short)", name)
	case got.Int64 != 1:
		return nil, fmt.Errorf("lock %q not granted within %ds", name, lockTimeoutSeconds)
	}
	return func() error {
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if _, err := conn.ExecContext(releaseCtx, "SELECT RELEASE_LOCK(?)", name); err != nil {
			discard(conn)
			return fmt.Errorf("release %q: %w", name, err)
		}
		return nil
	}, nil
}

// discard closes conn rather than return it to the pool: after a failed
// GET_LOCK or RELEASE_LOCK its session may hold the lock, and ending the
// session frees it.
func discard(conn *sql.Conn) { _ = conn.Raw(func(any) error { return driver.ErrBadConn }) }

// Close refuses further publishes, and ends the creations of tables under
// way and the publishes waiting for them (wsql.ErrPublisherClosed). The
// database is the caller's.
func (p *mysqlPublisher) Close() error {
	p.tables.close()
	return nil
}

// watermillTopic reports whether watermill-sql accepts topic: its bytes are
// letters, digits and "-$:._" (topics are spliced into statements).
func watermillTopic(topic string) bool {
	for i := 0; i < len(topic); i++ {
		if c := topic[i]; !plain(c) && !(c >= 'A' && c <= 'Z') && c != '$' && c != ':' {
			return false
		}
	}
	return true
}
