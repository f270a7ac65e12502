package sqlstore_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// TestOpenUnknownUserIsInvalidConfig: a PostgreSQL server that answers that
// the DSN's user does not exist says so on every try: Open reports
// ErrInvalidConfig with the server's reason, not ErrUnreachable, which a
// supervisor retries.
func TestOpenUnknownUserIsInvalidConfig(t *testing.T) {
	u, err := url.Parse(dsnFor(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"))
	require.NoError(t, err, "the test reads SOURCEFLOW_POSTGRES_DSN as a URL")
	u.User = url.UserPassword("nosuchuser", "s3cret-pw")
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.Postgres, DSN: u.String(), Table: uniqueTable()})
	if s != nil {
		_ = s.Close()
	}
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	assert.NotErrorIs(t, err, sqlstore.ErrUnreachable)
	assert.Contains(t, err.Error(), `sqlstore: invalid configuration: postgres at `)
	assert.Contains(t, err.Error(), `"nosuchuser" does not exist (SQLSTATE 28000)`)
	assert.NotContains(t, err.Error(), "s3cret", "the error must not show the password")
}
