package sqldb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A poll's call that meets a connection gone silent (a fake statement that
// hangs until its context ends) ends within the bound with an error naming
// the poll, what got no answer and the bound, on the subscription's
// context, which has no deadline.
func TestWatermillPollCallsEndWithinTheBound(t *testing.T) {
	poll := &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	cases := []struct {
		name, hang, what string
		d                sqldb.Dialect
		within           string
		call             func(ctx context.Context, tx wsql.Tx) error
	}{
		{"begin", "BEGIN", "begin", sqldb.MySQL, "50ms", nil},
		{"lock", "pg_advisory_xact_lock", "lock", sqldb.Postgres, "100ms", nil},
		{"query", "SELECT offset", "query", sqldb.MySQL, "50ms", func(ctx context.Context, tx wsql.Tx) error {
			_, err := tx.QueryContext(ctx, "SELECT offset FROM t")
			return err
		}},
		{"ack", "UPDATE", "statement", sqldb.Postgres, "50ms", func(ctx context.Context, tx wsql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE offsets SET offset_acked = 1")
			return err
		}},
		{"commit", "COMMIT", "COMMIT", sqldb.MySQL, "50ms", func(_ context.Context, tx wsql.Tx) error { return tx.Commit() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &sqldbtest.DB{OneRow: []string{"pg_advisory_xact_lock"}}
			b := sqldb.WatermillBeginner("sqlbus", tc.d, f.Open(t), "orders", "billing", 50*time.Millisecond, "Config.AckDeadline")
			f.HangOn(tc.hang)
			err := sqldbtest.Within(t, tc.name, func() error {
				tx, err := b.BeginTx(context.Background(), poll)
				if err != nil || tc.call == nil {
					return err
				}
				return tc.call(context.Background(), tx)
			})
			require.Error(t, err)
			require.ErrorContains(t, err, `sqlbus: poll of "orders/billing": the database did not answer its `+tc.what+" within "+tc.within)
			require.NotContains(t, err.Error(), context.Canceled.Error(), "logged as an error, not as a subscriber closing")
			require.ErrorContains(t, err, "only slower than that, as with a large batch or a long lock wait, "+
				"every poll is cut the same way: raise Config.AckDeadline", "a healthy but slow database is told apart")
		})
	}
}

// Calls that answer pass through unchanged, and transactions begun without
// options (watermill-sql's when it subscribes) are not bounded.
func TestWatermillPollCallsThatAnswerPassThrough(t *testing.T) {
	f := &sqldbtest.DB{OneRow: []string{"SELECT 1"}}
	b := sqldb.WatermillBeginner("sqlbus", sqldb.MySQL, f.Open(t), "orders", "billing", time.Minute, "Config.AckDeadline")
	tx, err := b.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	require.NoError(t, err)
	rows, err := tx.QueryContext(context.Background(), "SELECT 1")
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		n++
	}
	require.NoError(t, rows.Close())
	require.Equal(t, 1, n)
	require.NoError(t, tx.Commit())
	require.Len(t, f.Ran("COMMIT"), 1, "MySQL's commit runs as a bounded statement")

	f.HangOn("BEGIN")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = b.BeginTx(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded, "an unbounded begin ends only with its context")
}

// A wait for the poll lock that the server ends (lock_timeout, another
// instance's long batch) begins the poll again rather than failing it,
// until the subscription's context ends.
func TestWatermillPollLockTimeoutBeginsAgain(t *testing.T) {
	f := &sqldbtest.DB{}
	f.FailOn("pg_advisory_xact_lock", &pgconn.PgError{Code: "55P03", Message: "canceling statement due to lock timeout"})
	b := sqldb.WatermillBeginner("sqlbus", sqldb.Postgres, f.Open(t), "orders", "billing", time.Minute, "Config.AckDeadline")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		assert.Eventually(t, func() bool { return len(f.Ran("pg_advisory_xact_lock")) >= 3 }, 10*time.Second, time.Millisecond)
		cancel()
	}()
	err := sqldbtest.Within(t, "poll", func() error {
		_, err := b.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		return err
	})
	require.ErrorIs(t, err, context.Canceled, "the poll ends only with the subscription")
	require.GreaterOrEqual(t, len(f.Ran("pg_advisory_xact_lock")), 3, "lock waits the server ended")
	require.Contains(t, f.Ran("pg_advisory_xact_lock")[0], "set_config('lock_timeout', $2, true)")
}
