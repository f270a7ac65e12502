package sqldb_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestADeadlockedTransactionRefusesTheWritesOfAHandlerRetriedInIt: MySQL
// rolls a deadlock's victim back whole, and the connection's later
// statements would each commit on their own. A handler retried inside the
// transaction writes on; those writes must fail, and WithinTx must report
// the deadlock instead of committing.
func TestADeadlockedTransactionRefusesTheWritesOfAHandlerRetriedInIt(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
	if dsn == "" {
		t.Skip("SKIPPED: SOURCEFLOW_MYSQL_DSN is not set (make test sets it where MySQL or MariaDB is installed)")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, sqldb.Config{Dialect: sqldb.MySQL, DSN: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	table := "deadlock_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))[:20]
	_, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE TABLE "+table+" (id INT PRIMARY KEY, v INT NOT NULL)")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = db.ExecContext(context.Background(), "DROP TABLE "+table) })
	_, err = db.ExecContext(ctx, "INSERT INTO "+table+" (id, v) VALUES (1, 0), (2, 0)")
	require.NoError(t, err)

	locked, both := make(chan struct{}, 2), make(chan struct{})
	handle := func(first, second int) error {
		return sqldb.WithinTx(ctx, "sqlstore", db, "", sqldb.MySQL, func(ctx context.Context) error {
			ex, err := sqldb.ExecutorFor(ctx, db, "")
			if err != nil {
				return err
			}
			if _, err := ex.ExecContext(ctx, "UPDATE "+table+" SET v = v + 1 WHERE id = ?", first); err != nil {
				return err
			}
			locked <- struct{}{}
			<-both
			if _, err := ex.ExecContext(ctx, "UPDATE "+table+" SET v = v + 1 WHERE id = ?", second); err == nil {
				return nil
			}
			// The retried handler's writes.
			_, err = ex.ExecContext(ctx, "INSERT INTO "+table+" (id, v) VALUES (?, 0)", 10+first)
			assert.Error(t, err, "a write after the deadlock")
			return nil
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- handle(1, 2) }()
	go func() { errs <- handle(2, 1) }()
	<-locked
	<-locked
	close(both)
	results := []error{<-errs, <-errs}

	var victims int
	for _, err := range results {
		if err == nil {
			continue
		}
		victims++
		me, ok := errors.AsType[*mysql.MySQLError](err)
		require.True(t, ok, "the deadlock is reported: %v", err)
		assert.Equal(t, uint16(1213), me.Number)
		assert.Regexp(t, "^sqlstore: the transaction was rolled back by an earlier statement", err.Error())
	}
	assert.Equal(t, 1, victims, "one transaction is the deadlock's victim: %v", results)
	var stray int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id >= 10").Scan(&stray))
	assert.Zero(t, stray, "nothing the victim wrote after the deadlock was committed")
}
