package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// TestCleanupKeepsARecordReclaimedWhileItRuns reclaims an expired record in
// a transaction that is still open when a cleanup picks that record. The
// cleanup waits for the transaction's row lock; once the claim commits, the
// record holds a live lease again, and the cleanup must leave it: deleting
// it would let a redelivery of the message run while the claim's holder is
// still handling it.
func TestCleanupKeepsARecordReclaimedWhileItRuns(t *testing.T) {
	for _, d := range dialects[1:] { // SQLite has one writer at a time
		t.Run(string(d.dialect), func(t *testing.T) {
			t.Parallel()
			table := uniqueTable()
			s := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table, CleanupInterval: time.Hour})
			ctx := context.Background()
			k := idempotency.Key{Consumer: "c", MessageID: "m"}
			res, err := s.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			require.NoError(t, s.Complete(ctx, k, res.Token, time.Millisecond))
			tx := reclaimInTx(t, s, k)

			cleaned := make(chan error, 1)
			go func() {
				_, err := s.Cleanup(ctx)
				cleaned <- err
			}()
			// The cleanup either waits for the claim's row lock or, where the
			// database's delete skips a locked row, has already ended.
			ended := false
			poll(t, "the cleanup neither ended nor waited for the claim's row lock", func() bool {
				select {
				case err = <-cleaned:
					ended = true
					return true
				default:
					return waitsForALock(t, s.DB(), d.dialect, table)
				}
			})
			require.NoError(t, tx.Commit())
			if !ended {
				poll(t, "the cleanup did not end after the claim committed", func() bool {
					select {
					case err = <-cleaned:
						return true
					default:
						return false
					}
				})
			}
			require.NoError(t, err)

			assert.Equal(t, 1, countRows(t, s, table), "the cleanup deleted the record the claim had taken over")
			again, err := s.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.InProgress, again.Status, "a redelivery runs beside the claim's holder")
		})
	}
}

// reclaimInTx claims k, whose completed record is expiring, in a
// transaction it leaves open, so the transaction holds the row's lock.
func reclaimInTx(t *testing.T, s *sqlstore.Store, k idempotency.Key) *sql.Tx {
	t.Helper()
	var tx *sql.Tx
	poll(t, "the completed record never expired", func() bool {
		var err error
		tx, err = s.DB().Begin()
		require.NoError(t, err)
		res, err := s.Claim(sqlstore.ContextWithTx(context.Background(), tx), k, "", time.Minute)
		require.NoError(t, err)
		if res.Status == idempotency.Acquired {
			return true
		}
		require.NoError(t, tx.Rollback())
		return false
	})
	t.Cleanup(func() { _ = tx.Rollback() })
	return tx
}

// waitsForALock reports whether a statement deleting from table waits for a
// row lock. On MySQL, whose lock views need the PROCESS privilege, it
// reports that the statement runs: it is one statement that locks each row
// it reads, so it reads the row either under the claim's lock or after the
// commit.
func waitsForALock(t *testing.T, db *sql.DB, d sourceflow.Dialect, table string) bool {
	t.Helper()
	query := `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`
	if d == sourceflow.MySQL {
		query = `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ?`
	}
	var n int
	require.NoError(t, db.QueryRow(query, fmt.Sprintf("DELETE FROM %s%%", table)).Scan(&n))
	return n > 0
}

// poll calls cond, on the test's goroutine, until it holds, failing the test
// with msg after 20 seconds.
func poll(t *testing.T, msg string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
	}
}
