package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// failingRow is a row whose columns cannot be read.
type failingRow struct{ err error }

func (r failingRow) Scan(...any) error { return r.err }

// The errors a watermill-sql subscriber meets in the pieces of this
// package, and logs as they are, name the public package whose subscriber
// it is, once: a poll whose advisory lock fails, a row that cannot be read.
func TestWatermillSubscriberErrorsNameThePublicPackage(t *testing.T) {
	refused := errors.New("refused by the server")
	f := &sqldbtest.DB{}
	f.FailOn("pg_advisory_xact_lock", refused)
	poll := sqldb.WatermillBeginner("sqlbus", sqldb.Postgres, f.Open(t), "orders", "billing", 0, "")
	_, err := poll.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	require.ErrorIs(t, err, refused)
	require.Contains(t, err.Error(), `lock the polls of "orders/billing"`)
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)

	for _, d := range []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL} {
		_, err := sqldb.WatermillSchema("outbox", d, 0, nil).UnmarshalMessage(wsql.UnmarshalMessageParams{Row: failingRow{refused}})
		require.ErrorIs(t, err, refused, d)
		sqldbtest.NamesPackageOnce(t, "outbox", err)
	}
}
