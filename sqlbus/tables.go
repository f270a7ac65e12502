package sqlbus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// tables creates a topic's table on the first publish to it, on the
// publish's context: watermill-sql's own publisher creates it on a context
// of its own (60 s), so a publish whose context ended would still wait.
//
// The DDL runs without mu, so a CREATE TABLE waiting on a lock (a backup, an
// ALTER, another instance's creation) holds up only the publishes to its
// topic (one creation per topic at a time, each waiting as long as its
// context allows), not those to ready topics. Close ends the creation and
// the waits for it (wsql.ErrPublisherClosed), whatever the publishes'
// contexts (watermill's default is context.Background()). A failed creation
// is not remembered: the next publish tries again.
type tables struct {
	db       *sql.DB
	schema   wsql.SchemaAdapter
	zoneless *zonelessCheck // looks up each table created; nil: none

	// closing is cancelled, with cause wsql.ErrPublisherClosed, by close: it
	// releases the publishes waiting for a table's creation and ends the
	// creation itself.
	closing      context.Context
	cancelClosed context.CancelCauseFunc

	mu     sync.Mutex
	ready  map[string]bool
	inits  map[string]chan struct{} // per topic, a one-slot lock held while its table is created
	closed bool
}

func newTables(db *sql.DB, schema wsql.SchemaAdapter, zoneless *zonelessCheck) *tables {
	closing, cancel := context.WithCancelCause(context.Background())
	return &tables{db: db, schema: schema, zoneless: zoneless, closing: closing, cancelClosed: cancel,
		ready: map[string]bool{}, inits: map[string]chan struct{}{}}
}

// create creates topic's table once, as long as ctx allows, then has
// zoneless look it up. Its errors name no package: a publish and Redrive
// add theirs.
func (t *tables) create(ctx context.Context, topic string) error {
	lock, err := t.initLock(topic)
	if err != nil || lock == nil {
		return err
	}
	select {
	case lock <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for the table of %q to be created: %w", topic, ctx.Err())
	case <-t.closing.Done():
		return fmt.Errorf("wait for the table of %q to be created: %w", topic, context.Cause(t.closing))
	}
	defer func() { <-lock }()
	if lock, err := t.initLock(topic); err != nil || lock == nil {
		return err // created by the publish that held the lock
	}
	if err := t.run(ctx, topic); err != nil {
		return err
	}
	t.zoneless.created(ctx, topic)
	t.mu.Lock()
	t.ready[topic] = true
	delete(t.inits, topic) // publishes waiting for it find the topic ready
	t.mu.Unlock()
	return nil
}

// run runs the statements creating topic's table on ctx, ended also by
// close, in a transaction when the schema asks for one (PostgreSQL's takes
// an advisory lock in it).
func (t *tables) run(ctx context.Context, topic string) error {
	queries, err := t.schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	if err != nil {
		return fmt.Errorf("schema of %q: %w", topic, err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(t.closing, func() { cancel(context.Cause(t.closing)) })
	defer stop()
	if err := sqldb.ExecSchema(ctx, t.db, t.schema, queries); err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		return fmt.Errorf("create the table of %q: %w", topic, err)
	}
	return nil
}

// ensure creates topic's table unless a lookup on d finds it: Redrive, run
// by an operator whose role may not create tables (PostgreSQL 15 grants
// no CREATE on the public schema by default), writes into an existing
// table with INSERT alone, as CREATE TABLE IF NOT EXISTS would still need
// CREATE. Publishes keep calling create, which needs no lookup.
//
// A creation that fails is forgiven when a second lookup finds the table:
// another redrive (or a publish) created it after the first lookup, and
// PostgreSQL refuses CREATE TABLE IF NOT EXISTS of an existing table to a
// role without CREATE on the schema.
func (t *tables) ensure(ctx context.Context, d sqldb.Dialect, topic string) error {
	exists, err := sqldb.WatermillTableExists(ctx, t.db, d, topic)
	if err != nil || exists {
		return err
	}
	err = t.create(ctx, topic)
	if err == nil {
		return nil
	}
	if again, lookErr := sqldb.WatermillTableExists(ctx, t.db, d, topic); lookErr == nil && again {
		return nil
	}
	return err
}

// initLock returns wsql.ErrPublisherClosed after close, nil once topic's
// table is ready, and else the lock of the creation of topic's table.
func (t *tables) initLock(topic string) (chan struct{}, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, wsql.ErrPublisherClosed
	}
	if t.ready[topic] {
		return nil, nil
	}
	lock, ok := t.inits[topic]
	if !ok {
		lock = make(chan struct{}, 1)
		t.inits[topic] = lock
	}
	return lock, nil
}

// close refuses further creations, and ends the creations under way and the
// publishes waiting for them (wsql.ErrPublisherClosed).
func (t *tables) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancelClosed(wsql.ErrPublisherClosed)
}
