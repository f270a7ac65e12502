//go:build integration

package sqlbus

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// racedSchema is schema, whose creation queries are asked for only after
// a lookup found no table, with race run first: another redrive creating
// the table meanwhile.
type racedSchema struct {
	wsql.SchemaAdapter
	race func()
}

func (s racedSchema) SchemaInitializingQueries(p wsql.SchemaInitializingQueriesParams) ([]wsql.Query, error) {
	s.race()
	return s.SchemaAdapter.SchemaInitializingQueries(p)
}

func (s racedSchema) RequiresTransaction() bool {
	rt, ok := s.SchemaAdapter.(wsql.RequiresTransaction)
	return ok && rt.RequiresTransaction()
}

// Two redrives at once on PostgreSQL, by a role without CREATE on the
// schema: the destination's table, missing at one's lookup, is created
// by the other before its creation runs; that creation is refused
// (CREATE TABLE IF NOT EXISTS needs CREATE), but the table is there, so
// ensure succeeds and the redrive can write into it.
func TestTablesEnsure_ATableCreatedAfterTheLookupIsNotAFailure(t *testing.T) {
	admin := openDSN(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", "")
	name := "ensure_" + strings.ToLower(rand.Text()[:10])
	for _, q := range []string{`CREATE SCHEMA "` + name + `"`, `CREATE ROLE "` + name + `" LOGIN PASSWORD 'ensure'`,
		`GRANT USAGE ON SCHEMA "` + name + `" TO "` + name + `"`} {
		_, err := admin.Exec(q)
		require.NoError(t, err, q)
	}
	t.Cleanup(func() {
		for _, q := range []string{`DROP SCHEMA "` + name + `" CASCADE`, `DROP ROLE "` + name + `"`} {
			_, err := admin.Exec(q)
			assert.NoError(t, err, q)
		}
	})
	winner := openDSN(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", "search_path="+name)
	u, err := url.Parse(os.Getenv("SOURCEFLOW_POSTGRES_DSN"))
	require.NoError(t, err)
	u.User = url.UserPassword(name, "ensure")
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	loser, err := sql.Open(sourceflow.Postgres.DriverName(), u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = loser.Close() })

	schema, _ := adapters(sourceflow.Postgres, loser)
	raced := racedSchema{SchemaAdapter: schema, race: func() {
		require.NoError(t, newTables(winner, schema, nil).create(context.Background(), "orders"))
	}}
	require.NoError(t, newTables(loser, raced, nil).ensure(context.Background(), sourceflow.Postgres, "orders"))
	var found bool
	require.NoError(t, loser.QueryRow(`SELECT to_regclass('"watermill_orders"') IS NOT NULL`).Scan(&found))
	assert.True(t, found, "the table the role writes into")
}
