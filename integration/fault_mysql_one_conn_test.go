//go:build integration

package integration

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	cqrssql "github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// TestFaultMySQLStoreNewOnAOneConnectionPool: a pool capped at one
// connection (db.SetMaxOpenConns(1)) is enough to migrate on PostgreSQL,
// but on MariaDB goose holds the pool's one connection while its
// lock-table locker asks the pool for another, so sqlstore.New waited
// until the context ended (forever with context.Background()). It fails
// at once instead, with ErrInvalidConfig naming MaxOpenConns.
func TestFaultMySQLStoreNewOnAOneConnectionPool(t *testing.T) {
	direct := sqlbusDB(t, sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN")
	db, _ := proxiedDB(t, sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN")
	db.SetMaxOpenConns(1)
	prefix := strings.ReplaceAll(uniqueName("sf1c", ""), "-", "_") + "_"
	t.Cleanup(func() { dropStoreTables(t, direct, prefix) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := cqrssql.New(ctx, db, cqrssql.Config{Dialect: sourceflow.MySQL, TablePrefix: prefix})
	require.ErrorIs(t, err, cqrssql.ErrInvalidConfig, "after %v", time.Since(start))
	assert.ErrorContains(t, err, "MaxOpenConns")
	require.Less(t, time.Since(start), 10*time.Second, "New returned after %v: %v", time.Since(start), err)
}

// dropStoreTables drops the cqrs SQL store's tables of prefix on MySQL.
func dropStoreTables(t *testing.T, db *sql.DB, prefix string) {
	for _, s := range []string{"sequences", "commands", "entities", "views", "schema_version", "schema_version_lock"} {
		_, err := db.Exec("DROP TABLE IF EXISTS `" + prefix + s + "`")
		assert.NoError(t, err)
	}
}
