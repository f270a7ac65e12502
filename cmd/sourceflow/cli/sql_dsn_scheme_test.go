package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// URL schemes are case-insensitive: POSTGRES:// and PostgreSQL:// name
// PostgreSQL as postgres:// does, not a MySQL DSN.
func TestSQLReadsThePostgresSchemeInAnyCase(t *testing.T) {
	for _, tt := range []struct{ dsn, dialect, redacted, where string }{
		{"POSTGRES://ops:s3cr%40t@db.internal:5432/shop", "",
			"postgres://ops:xxxxx@db.internal:5432/shop", "postgres at db.internal:5432"},
		{"PostgreSQL://ops@db.internal/shop?password=s3cr%40t", "",
			"postgresql://ops@db.internal/shop?password=xxxxx", "postgres at db.internal"},
		{"Postgres://ops:s3cr%40t@db.internal:6432/shop", "postgres",
			"postgres://ops:xxxxx@db.internal:6432/shop", "postgres at db.internal:6432"},
	} {
		t.Run(tt.dsn, func(t *testing.T) {
			redacted, where, err := cli.ParseDSN(tt.dsn, tt.dialect)
			require.NoError(t, err)
			assert.Equal(t, tt.redacted, redacted)
			assert.Equal(t, tt.where, where)
		})
	}
}

// pgx reads only a lower-case scheme as a URL: the DSN it is given has
// one, so an upper-case one reaches the database, here refused, rather than
// failing to parse as key=value settings.
func TestSQLConnectsToAPostgresDSNWithAnUpperCaseScheme(t *testing.T) {
	for _, dialect := range []string{"", "postgres"} {
		t.Run("dialect "+dialect, func(t *testing.T) {
			args := []string{"sql", "dead-letters", "--outbox", "o", "--timeout", "20s", "--dsn", "POSTGRESQL://u:secret@127.0.0.1:1/x"}
			if dialect != "" {
				args = append(args, "--dialect", dialect)
			}
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitAWS, code, errOut)
			assert.Contains(t, errOut, "sql dead-letters: connect (postgres at 127.0.0.1:1)")
			assert.NotContains(t, errOut, "keyword/value")
			assert.NotContains(t, out+errOut, "secret")
		})
	}
}
