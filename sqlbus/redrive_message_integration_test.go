//go:build integration

package sqlbus

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// openDSN opens the database of d at the DSN named by env, with param
// added to it (as its driver reads extra settings: a session variable),
// and closes it after the test.
func openDSN(t *testing.T, d sourceflow.Dialect, env, param string) *sql.DB {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		t.Fatalf("%s is not set; run `make test` (it starts the %s database)", env, d)
	}
	if param != "" {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + param
	}
	db, err := sql.Open(d.DriverName(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.PingContext(context.Background()), "reach %s", d)
	return db
}

// deadLettered writes one dead letter of a new destination, its tables
// dropped after the test, and returns the destination.
func deadLettered(t *testing.T, d sourceflow.Dialect, db *sql.DB) string {
	t.Helper()
	dest := "redrive_" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() {
		for _, topic := range []string{Topic(dest), DeadLetterTopic(dest)} {
			for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
				q := `DROP TABLE IF EXISTS "` + table + `"`
				if d == sourceflow.MySQL {
					q = "DROP TABLE IF EXISTS `" + table + "`"
				}
				_, err := db.Exec(q)
				assert.NoError(t, err)
			}
		}
	})
	schema, _ := adapters(d, db)
	pub, err := publisher(Config{DB: db, Dialect: d}, schema, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, pub.Close()) }()
	require.NoError(t, pub.Publish(DeadLetterTopic(dest), message.NewMessage("dead-1", []byte("{}"))))
	return dest
}

// Redrive, when the destination's table cannot be created (a read-only
// session on PostgreSQL) or the destination's MySQL publish lock cannot be
// taken (a session whose statements the server ends after 3 s, while
// another session holds the lock), fails naming this package once, and
// leaves the dead letter where it was.
func TestRedriveErrorsNameThePackageOnce(t *testing.T) {
	ctx := context.Background()
	t.Run("postgres create", func(t *testing.T) {
		d, env := sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"
		dest := deadLettered(t, d, openDSN(t, d, env, ""))
		cfg := Config{DB: openDSN(t, d, env, "default_transaction_read_only=on"), Dialect: d}

		n, err := Redrive(ctx, cfg, dest)
		require.Error(t, err)
		assert.Zero(t, n)
		assert.Contains(t, err.Error(), `create the table of "`+Topic(dest)+`": `)
		assert.Contains(t, err.Error(), "read-only transaction")
		sqldbtest.NamesPackageOnce(t, "sqlbus", err)
		left, _, err := DeadLetters(ctx, cfg, dest, DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Len(t, left, 1)
	})
	t.Run("mysql lock", func(t *testing.T) {
		d, env := sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"
		db := openDSN(t, d, env, "")
		dest := deadLettered(t, d, db)
		holder, err := db.Conn(ctx)
		require.NoError(t, err)
		lock := "sqlbus:" + Topic(dest)
		t.Cleanup(func() { // the session goes back to the pool: free the lock first
			_, err := holder.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", lock)
			assert.NoError(t, err)
			_ = holder.Close()
		})
		var got int
		require.NoError(t, holder.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", lock).Scan(&got))
		require.Equal(t, 1, got, "the test's session holds the publish lock")
		var version string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version))
		bound := "max_execution_time=3000"
		if strings.Contains(version, "MariaDB") {
			bound = "max_statement_time=3"
		}
		cfg := Config{DB: openDSN(t, d, env, bound), Dialect: d}

		n, err := Redrive(ctx, cfg, dest)
		require.Error(t, err)
		assert.Zero(t, n)
		assert.Contains(t, err.Error(), `lock "`+lock+`"`)
		if strings.Contains(version, "MariaDB") { // its GET_LOCK answers NULL after 3 s
			assert.Contains(t, err.Error(), "the server ended the wait without granting it")
			assert.NotContains(t, err.Error(), "not granted within")
		}
		sqldbtest.NamesPackageOnce(t, "sqlbus", err)
		left, _, err := DeadLetters(ctx, cfg, dest, DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Len(t, left, 1)
	})
}
