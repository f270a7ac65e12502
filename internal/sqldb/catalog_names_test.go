package sqldb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

func TestShadowedByCatalog(t *testing.T) {
	for name, want := range map[string]bool{
		"pg_views": true, "PG_sequences": true, "pg_": true,
		"app.pg_views": false, "pgviews": false, "sourceflow_views": false, "pg": false,
	} {
		assert.Equal(t, want, sqldb.ShadowedByCatalog(sourceflow.Postgres, name), name)
	}
	assert.False(t, sqldb.ShadowedByCatalog(sourceflow.MySQL, "pg_views"))
	assert.False(t, sqldb.ShadowedByCatalog(sourceflow.SQLite, "pg_views"))
}
