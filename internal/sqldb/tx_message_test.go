package sqldb_test

import (
	"context"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// WithinTx's own errors start with the package its caller names, and a
// write refused in a transaction a deadlock ended says why without a
// package (the store that wrote names its own); fn's error, and the
// deadlock, stay in the chain.
func TestWithinTxErrorsNameTheCallersPackage(t *testing.T) {
	ctx := context.Background()
	fake := &sqldbtest.DB{}
	db := fake.Open(t)
	deadlock := &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}
	fake.FailOn("UPDATE", deadlock)
	ended := "the transaction was rolled back by an earlier statement; later ones would commit on their own: " + deadlock.Error()
	var refused error
	err := sqldb.WithinTx(ctx, "sqlstore", db, "", sqldb.MySQL, func(ctx context.Context) error {
		ex, err := sqldb.ExecutorFor(ctx, db, "")
		if err != nil {
			return err
		}
		_, _ = ex.ExecContext(ctx, "UPDATE t SET v = 1")
		_, refused = ex.ExecContext(ctx, "INSERT INTO t VALUES (1)")
		return nil
	})
	require.ErrorIs(t, err, deadlock)
	assert.Equal(t, "sqlstore: "+ended, err.Error())
	require.ErrorIs(t, refused, deadlock)
	assert.Equal(t, ended, refused.Error())

	require.NoError(t, db.Close())
	err = sqldb.WithinTx(ctx, "sqlbus", db, "", sqldb.Postgres, func(context.Context) error { return nil })
	assert.Equal(t, "sqlbus: begin a transaction: sql: database is closed", err.Error())
}
