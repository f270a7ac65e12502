package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// newFakeBox returns an outbox on f, in front of a channel transport.
func newFakeBox(t *testing.T, f *sqldbtest.DB, d sourceflow.Dialect, topic string) *outbox.Transport {
	t.Helper()
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: f.Open(t), Dialect: d, Transport: inner, Topic: topic})
	require.NoError(t, err)
	return box
}

// bindUntilItHangs calls Bind, cancels its context once a statement of f
// hangs, and returns Bind's error, failing the test when Bind does not
// return.
func bindUntilItHangs(t *testing.T, box *outbox.Transport, f *sqldbtest.DB, b sourceflow.Binding) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- box.Bind(ctx, b) }()
	select {
	case <-f.Hanging:
	case err := <-done:
		t.Fatalf("Bind returned before any statement hung: %v", err)
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("no statement hung within %v", sqldbtest.HangBound)
	}
	cancel()
	return sqldbtest.Within(t, "Bind after its context ended", func() error { return <-done })
}

func TestBindEndsWithItsContextWhateverStatementHangs(t *testing.T) {
	cases := []struct {
		name    string
		dialect sourceflow.Dialect
		hangOn  string
		waiting string // what the error says Bind was waiting for
	}{
		{"PostgreSQL tables", sourceflow.Postgres, "*", "create the tables"},
		{"MySQL tables", sourceflow.MySQL, "*", "create the tables"},
		{"MySQL lock table", sourceflow.MySQL, "sourceflow_outbox_locks", "create the lock table"},
		{"MySQL held table's destination_key", sourceflow.MySQL, "information_schema.columns", "create the held table"},
		{"MySQL held table's destination_key index", sourceflow.MySQL, "information_schema.statistics", "create the held table"},
		{"PostgreSQL forwarders' offsets row", sourceflow.Postgres, "ON CONFLICT DO NOTHING", "create the offsets row"},
		{"MySQL forwarders' offsets row", sourceflow.MySQL, "SELECT 1 FROM", "look for the offsets row"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := fakeDB(c.hangOn)
			box := newFakeBox(t, f, c.dialect, "")
			err := bindUntilItHangs(t, box, f, sourceflow.Binding{Service: "svc"})
			require.ErrorIs(t, err, context.Canceled)
			assert.ErrorContains(t, err, c.waiting)
			assert.NoError(t, sqldbtest.Within(t, "Close after the failed Bind", box.Close))
		})
	}
}

func TestCloseCancelsABindThatHangs(t *testing.T) {
	f := fakeDB("*")
	box := newFakeBox(t, f, sourceflow.Postgres, "")
	bound := make(chan error, 1)
	go func() { bound <- box.Bind(context.Background(), sourceflow.Binding{Service: "svc"}) }()
	require.Eventually(t, func() bool { return len(f.Ran("BEGIN")) > 0 }, sqldbtest.HangBound, 10*time.Millisecond,
		"Bind never began creating the tables")
	require.NoError(t, sqldbtest.Within(t, "Close during a Bind that hangs", box.Close))
	select {
	case err := <-bound:
		require.ErrorIs(t, err, outbox.ErrClosed)
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("Bind still running %v after Close", sqldbtest.HangBound)
	}
}

func TestConcurrentBindsStartTheOutboxOnce(t *testing.T) {
	assert.Equal(t, tablesCreatedByBinds(t, 1), tablesCreatedByBinds(t, 4),
		"concurrent Binds create the tables as often as one Bind")
}

// tablesCreatedByBinds runs n concurrent Binds of one outbox and returns
// how many CREATE TABLE statements they ran.
func tablesCreatedByBinds(t *testing.T, n int) int {
	t.Helper()
	f := fakeDB("")
	box := newFakeBox(t, f, sourceflow.Postgres, "")
	errs := make(chan error, n)
	for range n {
		go func() { errs <- box.Bind(context.Background(), sourceflow.Binding{Service: "svc"}) }()
	}
	for range n {
		require.NoError(t, sqldbtest.Within(t, "Bind", func() error { return <-errs }))
	}
	require.NoError(t, sqldbtest.Within(t, "Close", box.Close))
	return len(f.Ran("CREATE TABLE"))
}

// After Close, nothing a Bind it cancelled began still runs: no statement
// on the database, no forwarder publishing to the closed inner transport.
func TestCloseWaitsForTheBindItCancelled(t *testing.T) {
	for _, hangOn := range []string{"*", "ON CONFLICT DO NOTHING"} {
		t.Run(hangOn, func(t *testing.T) {
			f := fakeDB(hangOn)
			f.Abandon = 50 * time.Millisecond
			box := newFakeBox(t, f, sourceflow.Postgres, "")
			bound := make(chan error, 1)
			go func() { bound <- box.Bind(context.Background(), sourceflow.Binding{Service: "svc"}) }()
			require.Eventually(t, func() bool { return f.Running() > 0 }, sqldbtest.HangBound, time.Millisecond,
				"Bind never ran a statement")
			require.NoError(t, sqldbtest.Within(t, "Close during a Bind that hangs", box.Close))
			assert.Zero(t, f.Running(), "statements of the cancelled Bind still running after Close")
			require.ErrorIs(t, sqldbtest.Within(t, "Bind after Close", func() error { return <-bound }), outbox.ErrClosed)
		})
	}
}
