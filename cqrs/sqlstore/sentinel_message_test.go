package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A refused table prefix or key is met inside an error that names this
// package already: the sentinel it wraps does not name it again, and
// errors.Is still matches it.
func TestSentinelsInsideErrorsNameThePackageOnce(t *testing.T) {
	ctx := context.Background()
	err := sqldbtest.Closed(sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.SQLite, DSN: ":memory:", TablePrefix: "bad-"}))
	require.ErrorIs(t, err, sqlstore.ErrInvalidTablePrefix)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)

	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	s, err := sqlstore.New(ctx, db, sqlstore.Config{Dialect: sourceflow.SQLite, TablePrefix: uniquePrefix()})
	require.NoError(t, err)
	_, err = s.Views().Load(ctx, "order", "o-1\x00")
	require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
	_, err = s.Commands().NextSequence(ctx, "o-1 ")
	require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
	err = s.Commands().Append(ctx, cqrs.StoredCommand{Envelope: cqrs.Envelope{EntityID: "o-1", MessageID: "m\x00"}})
	require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}
