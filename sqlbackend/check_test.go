package sqlbackend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestCheck_ReportsADroppedTableUntilItIsBack checks that Check passes on
// an opened Backend, fails naming the table and the remedy once a store's
// table is dropped, and passes again once it is created again.
func TestCheck_ReportsADroppedTableUntilItIsBack(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		b := d.open(t, sqlbackend.Config{})
		require.NoError(t, b.Check(ctx))
		views := b.Store().Tables()[3]
		_, err := b.Store().DB().ExecContext(ctx, "DROP TABLE "+views)
		require.NoError(t, err)

		err = b.Check(ctx)
		require.ErrorIs(t, err, sqlbackend.ErrMissingTable)
		assert.ErrorIs(t, err, dynamobackend.ErrMissingTable, "one value for both backends")
		assert.ErrorContains(t, err, strings.TrimPrefix(views, "main."))
		assert.ErrorContains(t, err, "SchemaSQL")
		assert.True(t, strings.HasPrefix(err.Error(), "sqlbackend: check: "), err.Error())

		for _, stmt := range append(b.Store().SchemaSQL(), b.IdempotencyStore().SchemaSQL()...) {
			_, err := b.Store().DB().ExecContext(ctx, stmt)
			require.NoError(t, err)
		}
		assert.NoError(t, b.Check(ctx))
	})
}

// TestCheck_ReportsADatabaseThatStopsAnswering checks that Check fails with
// ErrUnreachable, within the connect timeout, while the database does not
// answer, and passes once it answers again.
func TestCheck_ReportsADatabaseThatStopsAnswering(t *testing.T) {
	for _, d := range dialects {
		if d.dialect != sourceflow.SQLite { // a file, with no server to stop
			t.Run(string(d.dialect), func(t *testing.T) { checkStoppedServer(t, d) })
		}
	}
}

// checkStoppedServer runs TestCheck_ReportsADatabaseThatStopsAnswering on
// d, through a proxy it stops and starts.
func checkStoppedServer(t *testing.T, d dialect) {
	ctx := context.Background()
	dsn := d.dsn(t)
	target := sqldb.Address(d.dialect, dsn)
	p := newProxy(t, target)
	prefix := uniquePrefix()
	b, err := sqlbackend.Open(ctx, sqlbackend.Config{
		Dialect: d.dialect, DSN: strings.Replace(dsn, target, p.addr, 1),
		TablePrefix: prefix, ConnectTimeout: 2 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	t.Cleanup(func() { dropTables(t, b.Store().DB(), prefix) })
	require.NoError(t, b.Check(ctx))

	p.stop()
	err = b.Check(ctx)
	require.ErrorIs(t, err, sqlbackend.ErrUnreachable)
	assert.ErrorContains(t, err, p.addr)

	p.start(t)
	assert.NoError(t, b.Check(ctx))
}
