package sqlbackend_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

func TestOpen_RefusesAnInvalidConfig(t *testing.T) {
	db, err := sql.Open("sqlite", dialects[0].dsn(t))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	dsn := "file:unused.db"
	testCases := []struct {
		name    string
		cfg     sqlbackend.Config
		says    string
		errorIs error
	}{
		{"no database", sqlbackend.Config{Dialect: sourceflow.SQLite}, "Config.DSN or Config.DB is required", nil},
		{"two databases", sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: dsn, DB: db}, "Config.DSN and Config.DB are both set", nil},
		{"no dialect", sqlbackend.Config{DSN: dsn}, "Config.Dialect", sourceflow.ErrUnknownDialect},
		{"bad prefix", sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: dsn, TablePrefix: "no-dashes"}, "Config.TablePrefix", sqlstore.ErrInvalidTablePrefix},
		{"negative pool", sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: dsn, MaxOpenConns: -1}, "Config.MaxOpenConns", nil},
		{"outbox on SQLite", sqlbackend.Config{Dialect: sourceflow.SQLite, DSN: dsn, Outbox: true}, "Config.Outbox", outbox.ErrUnsupportedDialect},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := sqlbackend.Open(context.Background(), tc.cfg)
			require.Error(t, err)
			assert.Nil(t, b)
			assert.ErrorIs(t, err, sqlbackend.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.says)
			if tc.errorIs != nil {
				assert.ErrorIs(t, err, tc.errorIs)
			}
			assert.Equal(t, err.Error(), tc.cfg.Validate().Error(), "Validate and Open disagree")
		})
	}
	assert.NoFileExists(t, "unused.db", "a refused Open created the database")
}

func TestValidate_ReportsEveryProblemOnce(t *testing.T) {
	err := sqlbackend.Config{Dialect: "oracle", TablePrefix: "no-dashes"}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.DSN or Config.DB is required")
	assert.Contains(t, err.Error(), "Config.Dialect")
	assert.Contains(t, err.Error(), "Config.TablePrefix")
	assert.Equal(t, 1, strings.Count(err.Error(), "Config.Dialect"), "a problem was reported twice")
}
