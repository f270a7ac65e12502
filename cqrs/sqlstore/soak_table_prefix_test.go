package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// On PostgreSQL an unqualified table named pg_views or pg_sequences is
// the system catalog's view, searched before the schema the migration
// creates the store's table in: a store with the prefix "pg_" reads and
// writes the catalog, and every handling fails, so the prefix is refused
// up front (a schema-qualified "app.pg_" is not searched through the
// catalog and stays valid).
func TestSoakSetupTablePrefixShadowedByTheCatalogIsRefused(t *testing.T) {
	for _, prefix := range []string{"pg_"} {
		err := sqlstore.Config{Dialect: sourceflow.Postgres, TablePrefix: prefix}.Validate()
		assert.ErrorIs(t, err, sqlstore.ErrInvalidTablePrefix, prefix)
	}
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.Postgres, TablePrefix: "app.pg_"}.Validate())
}
