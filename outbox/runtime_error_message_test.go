package outbox_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// The functions on the outbox tables, given a closed database, fail with an
// error naming this package once and what failed, never the internal
// package that ran the statements.
func TestRuntimeErrorMessagesNameThePublicPackage(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://u:p@127.0.0.1:1/db")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	cfg := outbox.Config{DB: db, Dialect: sourceflow.Postgres, Topic: "outbox_svc"}

	_, err = outbox.Prune(ctx, cfg)
	assert.Equal(t, `outbox: prune "outbox_svc": read the consumed position of outbox_svc: sql: database is closed`, err.Error())
	sqldbtest.NamesPackageOnce(t, "outbox", err)
	_, _, err = outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
	sqldbtest.NamesPackageOnce(t, "outbox", err)
	_, err = outbox.Depths(ctx, cfg)
	sqldbtest.NamesPackageOnce(t, "outbox", err)
	_, err = outbox.Redrive(ctx, cfg)
	sqldbtest.NamesPackageOnce(t, "outbox", err)
}
