package sqlstore_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// TestOpenMissingDatabaseIsInvalidConfig: a PostgreSQL server that answers
// that the DSN's database does not exist says so on every try: Open
// reports ErrInvalidConfig with the server's reason, not ErrUnreachable,
// which a supervisor retries.
func TestOpenMissingDatabaseIsInvalidConfig(t *testing.T) {
	u, err := url.Parse(dialects[1].dsn(t))
	require.NoError(t, err, "the test reads SOURCEFLOW_POSTGRES_DSN as a URL")
	u.Path = "/nosuchdb"
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.Postgres, DSN: u.String()})
	if s != nil {
		_ = s.Close()
	}
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	assert.NotErrorIs(t, err, sqlstore.ErrUnreachable)
	assert.Contains(t, err.Error(), `sqlstore: invalid configuration: postgres at `)
	assert.Contains(t, err.Error(), `database "nosuchdb" does not exist (SQLSTATE 3D000)`)
}
