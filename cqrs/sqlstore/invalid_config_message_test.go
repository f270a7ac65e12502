package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// An invalid configuration's message names this package and the field, not
// the internal package that checks it, and still matches ErrInvalidConfig.
func TestInvalidConfigMessageNamesThePublicPackage(t *testing.T) {
	for name, cfg := range map[string]sqlstore.Config{
		"empty DSN":      {Dialect: sourceflow.Postgres},
		"unreadable DSN": {Dialect: sourceflow.Postgres, DSN: "postgres://host:notaport/db"},
		"bad dialect":    {Dialect: "oracle", DSN: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := sqlstore.Open(context.Background(), cfg)
			if s != nil {
				_ = s.Close()
			}
			require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
			assert.Regexp(t, `^sqlstore: invalid configuration: Config\.(DSN|Dialect)\b`, err.Error())
			assert.NotContains(t, err.Error(), "sqldb")
		})
	}
	_, err := sqlstore.New(context.Background(), nil, sqlstore.Config{Dialect: sourceflow.Postgres})
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	assert.Equal(t, "sqlstore: invalid configuration: db must not be nil", err.Error())
}

// Every problem of an invalid configuration names its field as
// Config.<Field>, as sqlbus and outbox do.
func TestInvalidConfigNamesConfigFields(t *testing.T) {
	ctx := context.Background()
	err := sqldbtest.Closed(sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.SQLite}))
	assert.EqualError(t, err, "sqlstore: invalid configuration: Config.DSN must not be empty")

	err = sqldbtest.Closed(sqlstore.Open(ctx, sqlstore.Config{
		Dialect: "oracle", DSN: "x", TablePrefix: "bad-", MaxOpenConns: -1, ConnectTimeout: -1,
	}))
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	problems := strings.Split(strings.TrimPrefix(err.Error(), "sqlstore: invalid configuration: "), "\n")
	require.Len(t, problems, 4, err.Error())
	for i, field := range []string{"Dialect", "MaxOpenConns", "ConnectTimeout", "TablePrefix"} {
		assert.True(t, strings.HasPrefix(problems[i], "Config."+field+": "), problems[i])
	}

	err = sqldbtest.Closed(sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.Postgres, DSN: "postgres://h:port/db"}))
	assert.Regexp(t, `^sqlstore: invalid configuration: Config\.DSN: pgx cannot read it as a postgres DSN`, err.Error())

	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	err = sqldbtest.Closed(sqlstore.New(ctx, db, sqlstore.Config{Dialect: sourceflow.Postgres}))
	assert.Regexp(t, `^sqlstore: invalid configuration: Config\.Dialect is postgres, but the database was opened with the sqlite driver`, err.Error())
}
