package sqlbus_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// An unsupported dialect is a problem of an invalid configuration, whose
// error names this package once, and still matches ErrUnsupportedDialect.
func TestUnsupportedDialectNamesThePackageOnce(t *testing.T) {
	err := sqlbus.Config{DB: new(sqldbtest.DB).Open(t), Dialect: "oracle"}.Validate()
	require.ErrorIs(t, err, sqlbus.ErrUnsupportedDialect)
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
}
