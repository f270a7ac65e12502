package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A refused table name is met inside an error that names this package
// already: ErrInvalidTable does not name it again, and errors.Is still
// matches it.
func TestInvalidTableNamesThePackageOnce(t *testing.T) {
	err := sqldbtest.Closed(sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.SQLite, DSN: ":memory:", Table: "bad-"}))
	require.ErrorIs(t, err, sqlstore.ErrInvalidTable)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}
