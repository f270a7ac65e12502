package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// On PostgreSQL an unqualified table beginning with "pg_" is looked up in
// the system catalog first (pg_locks, pg_views, …), so such a Table is
// refused with the reason; qualified, or on another database, it is valid.
func TestTableShadowedByThePostgresCatalogIsRefused(t *testing.T) {
	for _, table := range []string{"pg_locks", "PG_records"} {
		err := sqlstore.Config{Dialect: sourceflow.Postgres, Table: table}.Validate()
		require.ErrorIs(t, err, sqlstore.ErrInvalidTable, table)
		assert.ErrorIs(t, err, sqlstore.ErrInvalidConfig, table)
		assert.ErrorContains(t, err, `"`+table+`"`)
		assert.ErrorContains(t, err, "system catalog")
	}
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.Postgres, Table: "idem.pg_locks"}.Validate())
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.SQLite, Table: "pg_locks"}.Validate())
}
