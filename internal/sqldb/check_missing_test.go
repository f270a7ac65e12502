package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// TestCheck_NamesEveryMissingTable checks that a check finding tables
// missing names each of them, not only the first the server reports, and
// not the tables that are there.
func TestCheck_NamesEveryMissingTable(t *testing.T) {
	f := &sqldbtest.DB{}
	f.FailOn("app.", &pgconn.PgError{Code: "42P01", Message: `relation "app.sf_views" does not exist`})
	tables := []string{"app.sf_views", "sf_commands", "app.sf_entities"}

	err := sqldb.Check(context.Background(), f.Open(t), sourceflow.Postgres, "", time.Second, sqldb.Tables{Names: tables})

	require.ErrorIs(t, err, sqldb.ErrMissingTable)
	assert.ErrorContains(t, err, "table missing: app.sf_views, app.sf_entities (")
	assert.NotContains(t, err.Error(), "missing: app.sf_views, sf_commands")
}
