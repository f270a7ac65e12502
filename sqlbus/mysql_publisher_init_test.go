package sqlbus

import (
	"context"
	"testing"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// newFakeMySQLPublisher returns the MySQL publisher on a fake database
// hanging on statements containing hangOn, granting every GET_LOCK.
func newFakeMySQLPublisher(t *testing.T, hangOn string) (*sqldbtest.DB, *mysqlPublisher) {
	t.Helper()
	f := &sqldbtest.DB{OneRow: []string{"GET_LOCK"}, Hanging: make(chan string, 16)}
	f.HangOn(hangOn)
	db := f.Open(t)
	schema, _ := adapters(sourceflow.MySQL, db)
	return f, newMySQLPublisher(db, schema)
}

// publish publishes one message to topic with ctx.
func publish(ctx context.Context, p *mysqlPublisher, topic string) error {
	msg := message.NewMessage("m-"+topic, []byte("x"))
	msg.SetContext(ctx)
	return p.Publish(topic, msg)
}

// A first publish to a new topic whose CREATE TABLE waits (on a metadata
// lock held by a backup or an ALTER) holds up only that topic: publishes to
// topics whose table is ready, and Close, go on.
func TestMySQLPublishToAReadyTopicDoesNotWaitForAnotherTopicsTable(t *testing.T) {
	f, p := newFakeMySQLPublisher(t, "watermill_fresh")
	require.NoError(t, sqldbtest.Within(t, "publish to ready", func() error { return publish(context.Background(), p, "ready") }))

	freshCtx, cancelFresh := context.WithCancel(context.Background())
	fresh := make(chan error, 1)
	go func() { fresh <- publish(freshCtx, p, "fresh") }()
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("the CREATE TABLE of fresh did not start within %v", sqldbtest.HangBound)
	}

	require.NoError(t, sqldbtest.Within(t, "publish to ready while fresh's table is created",
		func() error { return publish(context.Background(), p, "ready") }))
	require.NoError(t, sqldbtest.Within(t, "Close while fresh's table is created", p.Close))

	cancelFresh()
	require.ErrorIs(t, sqldbtest.Within(t, "publish to fresh", func() error { return <-fresh }), context.Canceled)
}

// A failed creation is not remembered: the next publish creates the table.
func TestMySQLTableCreationFailedIsTriedAgain(t *testing.T) {
	f, p := newFakeMySQLPublisher(t, "watermill_fresh")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	failed := make(chan error, 1)
	go func() { failed <- publish(ctx, p, "fresh") }()
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("the CREATE TABLE of fresh did not start within %v", sqldbtest.HangBound)
	}
	cancel()
	err := sqldbtest.Within(t, "publish to fresh after its context ended", func() error { return <-failed })
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "create the table")

	f.HangOn("")
	require.NoError(t, sqldbtest.Within(t, "publish to fresh", func() error { return publish(context.Background(), p, "fresh") }))
	require.NoError(t, sqldbtest.Within(t, "publish to fresh", func() error { return publish(context.Background(), p, "fresh") }))
	assert.Equal(t, 2, len(f.Ran("CREATE TABLE IF NOT EXISTS `watermill_fresh`")), "created once more, then ready")
}

// Publishes to a new topic wait, each as long as its context allows, for
// the one creating its table.
func TestMySQLPublishWaitingForATopicsTableEndsWithItsContext(t *testing.T) {
	f, p := newFakeMySQLPublisher(t, "watermill_fresh")
	firstCtx, cancelFirst := context.WithCancel(context.Background())
	defer cancelFirst()
	first := make(chan error, 1)
	go func() { first <- publish(firstCtx, p, "fresh") }()
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("the CREATE TABLE of fresh did not start within %v", sqldbtest.HangBound)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := sqldbtest.Within(t, "second publish to fresh (200ms context)", func() error { return publish(ctx, p, "fresh") })
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "wait for the table")
	assert.Equal(t, 1, len(f.Ran("CREATE TABLE")), "one creation of fresh's table at a time")

	cancelFirst()
	require.ErrorIs(t, sqldbtest.Within(t, "first publish to fresh", func() error { return <-first }), context.Canceled)
}

// Close ends a creation of a table and the publishes waiting for it, though
// their contexts (watermill's default, context.Background()) never end.
func TestMySQLCloseEndsATableCreationAndThePublishesWaitingForIt(t *testing.T) {
	f, p := newFakeMySQLPublisher(t, "watermill_fresh")
	const initialize = "(*mysqlPublisher).initialize"
	before := sqldbtest.Goroutines(initialize)
	holder := make(chan error, 1)
	go func() { holder <- publish(context.Background(), p, "fresh") }()
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("the CREATE TABLE of fresh did not start within %v", sqldbtest.HangBound)
	}
	waiter := make(chan error, 1)
	go func() { waiter <- publish(context.Background(), p, "fresh") }()
	require.Eventually(t, func() bool { return sqldbtest.Goroutines(initialize) >= before+2 }, sqldbtest.HangBound, time.Millisecond,
		"the second publish never waited for the table")

	require.NoError(t, sqldbtest.Within(t, "Close while fresh's table is created", p.Close))
	for name, ch := range map[string]chan error{"the publish creating the table": holder, "the publish waiting for it": waiter} {
		err := sqldbtest.Within(t, name+" after Close", func() error { return <-ch })
		require.ErrorIs(t, err, wsql.ErrPublisherClosed, name)
	}
	assert.Equal(t, 1, len(f.Ran("CREATE TABLE")), "one creation, ended by Close")
}
