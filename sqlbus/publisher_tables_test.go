package sqlbus

import (
	"context"
	"errors"
	"testing"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// eachPublisher runs fn as a subtest per dialect, on a fake publisher
// whose statements on the table watermill_fresh hang.
func eachPublisher(t *testing.T, fn func(t *testing.T, f *sqldbtest.DB, p message.Publisher)) {
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			f, p := newFakePublisher(t, d)
			f.Hanging = make(chan string, 16)
			f.HangOn("watermill_fresh")
			fn(t, f, p)
		})
	}
}

// publish publishes one message to topic with ctx.
func publish(ctx context.Context, p message.Publisher, topic string) error {
	msg := message.NewMessage("m-"+topic, []byte("x"))
	msg.SetContext(ctx)
	return p.Publish(topic, msg)
}

// waitHanging waits until a statement on fresh's table hangs.
func waitHanging(t *testing.T, f *sqldbtest.DB) {
	t.Helper()
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("the CREATE TABLE of fresh did not start within %v", sqldbtest.HangBound)
	}
}

// A first publish to a new topic whose CREATE TABLE waits (on a lock held
// by a backup, an ALTER or another instance's creation) holds up only that
// topic: publishes to topics whose table is ready, and Close, go on.
func TestPublishToAReadyTopicDoesNotWaitForAnotherTopicsTable(t *testing.T) {
	eachPublisher(t, func(t *testing.T, f *sqldbtest.DB, p message.Publisher) {
		require.NoError(t, sqldbtest.Within(t, "publish to ready", func() error { return publish(context.Background(), p, "ready") }))

		freshCtx, cancelFresh := context.WithCancel(context.Background())
		fresh := make(chan error, 1)
		go func() { fresh <- publish(freshCtx, p, "fresh") }()
		waitHanging(t, f)

		require.NoError(t, sqldbtest.Within(t, "publish to ready while fresh's table is created",
			func() error { return publish(context.Background(), p, "ready") }))
		require.NoError(t, sqldbtest.Within(t, "Close while fresh's table is created", p.Close))

		cancelFresh()
		err := sqldbtest.Within(t, "publish to fresh", func() error { return <-fresh })
		require.Error(t, err)
		assert.True(t, errorsIsAny(err, context.Canceled, wsql.ErrPublisherClosed), "ended by its context or by Close: %v", err)
	})
}

// A publish whose context ends while its topic's table is being created
// returns at once with the context's error, however long the creation
// would wait (watermill-sql's own publisher waits up to 60 s whatever the
// publish's context). A failed creation is not remembered: the next
// publish creates the table.
func TestTableCreationEndsWithThePublishsContextAndIsTriedAgain(t *testing.T) {
	eachPublisher(t, func(t *testing.T, f *sqldbtest.DB, p message.Publisher) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		failed := make(chan error, 1)
		go func() { failed <- publish(ctx, p, "fresh") }()
		waitHanging(t, f)
		cancel()
		err := sqldbtest.Within(t, "publish to fresh after its context ended", func() error { return <-failed })
		require.ErrorIs(t, err, context.Canceled)
		assert.ErrorContains(t, err, "create the table")

		f.HangOn("")
		require.NoError(t, sqldbtest.Within(t, "publish to fresh", func() error { return publish(context.Background(), p, "fresh") }))
		require.NoError(t, sqldbtest.Within(t, "publish to fresh", func() error { return publish(context.Background(), p, "fresh") }))
		assert.Len(t, f.Ran("CREATE TABLE"), 2, "created once more, then ready")
	})
}

// Publishes to a new topic wait, each as long as its context allows, for
// the one creating its table.
func TestPublishWaitingForATopicsTableEndsWithItsContext(t *testing.T) {
	eachPublisher(t, func(t *testing.T, f *sqldbtest.DB, p message.Publisher) {
		firstCtx, cancelFirst := context.WithCancel(context.Background())
		defer cancelFirst()
		first := make(chan error, 1)
		go func() { first <- publish(firstCtx, p, "fresh") }()
		waitHanging(t, f)

		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := sqldbtest.Within(t, "second publish to fresh (200ms context)", func() error { return publish(ctx, p, "fresh") })
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, "wait for the table")
		assert.Len(t, f.Ran("CREATE TABLE"), 1, "one creation of fresh's table at a time")

		cancelFirst()
		require.ErrorIs(t, sqldbtest.Within(t, "first publish to fresh", func() error { return <-first }), context.Canceled)
	})
}

// Close ends a creation of a table and the publishes waiting for it, though
// their contexts (watermill's default, context.Background()) never end.
func TestCloseEndsATableCreationAndThePublishesWaitingForIt(t *testing.T) {
	eachPublisher(t, func(t *testing.T, f *sqldbtest.DB, p message.Publisher) {
		const create = "(*tables).create"
		before := sqldbtest.Goroutines(create)
		holder := make(chan error, 1)
		go func() { holder <- publish(context.Background(), p, "fresh") }()
		waitHanging(t, f)
		waiter := make(chan error, 1)
		go func() { waiter <- publish(context.Background(), p, "fresh") }()
		require.Eventually(t, func() bool { return sqldbtest.Goroutines(create) >= before+2 }, sqldbtest.HangBound, time.Millisecond,
			"the second publish never waited for the table")

		require.NoError(t, sqldbtest.Within(t, "Close while fresh's table is created", p.Close))
		for name, ch := range map[string]chan error{"the publish creating the table": holder, "the publish waiting for it": waiter} {
			err := sqldbtest.Within(t, name+" after Close", func() error { return <-ch })
			require.ErrorIs(t, err, wsql.ErrPublisherClosed, name)
		}
		assert.Len(t, f.Ran("CREATE TABLE"), 1, "one creation, ended by Close")
	})
}

// errorsIsAny reports whether err is any of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
