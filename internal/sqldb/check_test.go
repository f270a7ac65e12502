package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

var checkedTables = []string{"sf_commands", "app.sf_views"}

func TestCheck_OneQueryNamingEveryTable(t *testing.T) {
	f := &sqldbtest.DB{}
	require.NoError(t, sqldb.Check(context.Background(), f.Open(t), sourceflow.Postgres, "", time.Second, sqldb.Tables{Names: checkedTables}))
	ran := f.Ran("SELECT 1 FROM")
	require.Len(t, ran, 1)
	assert.Equal(t, "SELECT 1 FROM sf_commands WHERE 1 = 0 UNION ALL SELECT 1 FROM app.sf_views WHERE 1 = 0", ran[0])
}

func TestCheck_AMissingTableIsErrMissingTable(t *testing.T) {
	for name, refusal := range map[string]error{
		"postgres": &pgconn.PgError{Code: "42P01", Message: `relation "app.sf_views" does not exist`},
		"mysql":    &mysql.MySQLError{Number: 1146, Message: "Table 'app.sf_views' doesn't exist"},
		"sqlite":   errors.New("SQL logic error: no such table: sf_views (1)"),
	} {
		t.Run(name, func(t *testing.T) {
			f := &sqldbtest.DB{}
			f.FailOn("SELECT 1 FROM", refusal)
			err := sqldb.Check(context.Background(), f.Open(t), sourceflow.Postgres, "", time.Second, sqldb.Tables{Names: checkedTables})
			require.ErrorIs(t, err, sqldb.ErrMissingTable)
			assert.ErrorContains(t, err, "sf_views")
			assert.ErrorContains(t, err, "SchemaSQL")
		})
	}
}

func TestCheck_AnotherFailureIsNotAMissingTable(t *testing.T) {
	f := &sqldbtest.DB{}
	denied := &pgconn.PgError{Code: "42501", Message: "permission denied for table sf_views"}
	f.FailOn("SELECT 1 FROM", denied)
	err := sqldb.Check(context.Background(), f.Open(t), sourceflow.Postgres, "", time.Second, sqldb.Tables{Names: checkedTables})
	require.ErrorIs(t, err, denied)
	assert.NotErrorIs(t, err, sqldb.ErrMissingTable)
	assert.ErrorContains(t, err, "check tables sf_commands, app.sf_views")
}

// TestCheck_IsBoundedByItsTimeout checks that a database that takes the
// query and never answers fails the check once the timeout passed.
func TestCheck_IsBoundedByItsTimeout(t *testing.T) {
	f := &sqldbtest.DB{}
	f.HangOn("SELECT 1 FROM")
	err := sqldbtest.Within(t, "Check", func() error {
		return sqldb.Check(context.Background(), f.Open(t), sourceflow.Postgres, "", 50*time.Millisecond, sqldb.Tables{Names: checkedTables})
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// On MySQL the check runs a statement, as Open does: MariaDB answers the
// ping of an account whose password expired and refuses every statement
// (1820), so a ping alone would report such a database healthy.
func TestCheck_OnMySQLRunsAStatementAsOpenDoes(t *testing.T) {
	f := &sqldbtest.DB{}
	expired := &mysql.MySQLError{Number: 1820, Message: "You must SET PASSWORD before executing this statement"}
	f.FailOn("DO 1", expired)
	err := sqldb.Check(context.Background(), f.Open(t), sourceflow.MySQL, "", time.Second, sqldb.Tables{Names: checkedTables})
	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.ErrorIs(t, err, expired)
}

// A pool whose every connection stays in use for the whole bound fails
// the check saying so, not as a database that does not answer: the
// database may answer every connection it has.
func TestCheck_APoolWithNoConnectionToSpareIsNotUnreachable(t *testing.T) {
	f := &sqldbtest.DB{}
	db := f.Open(t)
	db.SetMaxOpenConns(1)
	held, err := db.Conn(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = held.Close() })

	err = sqldb.Check(context.Background(), db, sourceflow.Postgres, "", 50*time.Millisecond, sqldb.Tables{Names: checkedTables})

	require.Error(t, err)
	assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
	assert.ErrorContains(t, err, "every one of the pool's 1 connections")
}
