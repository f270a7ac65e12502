package sqlbus

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A publish whose table cannot be created, whose MySQL publish lock cannot
// be taken or released, or whose rows cannot be inserted, fails with the
// database's error and names this package once.
func TestPublishErrorsNameThePackageOnce(t *testing.T) {
	refused := errors.New("refused by the server")
	for _, tc := range []struct {
		dialect sourceflow.Dialect
		failOn  string
	}{
		{sourceflow.Postgres, "CREATE TABLE"},
		{sourceflow.MySQL, "CREATE TABLE"},
		{sourceflow.MySQL, "GET_LOCK"},
		{sourceflow.MySQL, "RELEASE_LOCK"},
		{sourceflow.Postgres, "INSERT INTO"},
		{sourceflow.MySQL, "INSERT INTO"},
	} {
		t.Run(string(tc.dialect)+" "+tc.failOn, func(t *testing.T) {
			f, pub := newFakePublisher(t, tc.dialect)
			f.FailOn(tc.failOn, refused)
			err := publish(context.Background(), pub, "orders")
			require.ErrorIs(t, err, refused)
			sqldbtest.NamesPackageOnce(t, "sqlbus", err)
		})
	}
}
