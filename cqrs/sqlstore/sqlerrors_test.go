package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// sqliteUniqueViolation returns the error a real SQLite database returns
// for a duplicate primary key.
func sqliteUniqueViolation(t *testing.T) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "unique.db"))
	require.NoError(t, err)
	defer func() { assert.NoError(t, db.Close()) }()
	_, err = db.Exec(`CREATE TABLE t (x INTEGER PRIMARY KEY)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO t VALUES (1)`)
	require.NoError(t, err)
	_, dup := db.Exec(`INSERT INTO t VALUES (1)`)
	require.Error(t, dup)
	return dup
}

// TestADuplicateKeyIsADuplicateOnEveryDialect: the duplicate key error of
// each driver makes Append cqrs.ErrDuplicateCommand and the save of a new
// document cqrs.ErrConflict, neither of them permanent. A PostgreSQL
// exclusion violation and MySQL's duplicate-key errors other than 1062 are
// not taken for a duplicate, and are not permanent either.
func TestADuplicateKeyIsADuplicateOnEveryDialect(t *testing.T) {
	type dupCase struct {
		name      string
		err       error
		duplicate bool
	}
	tests := map[sourceflow.Dialect][]dupCase{
		sourceflow.Postgres: {{"unique violation", pgError("23505"), true}, {"exclusion violation", pgError("23P01"), false}},
		sourceflow.MySQL:    {{"duplicate entry", mysqlError(1062, "23000"), true}, {"duplicate key", mysqlError(1022, "23000"), false}},
		sourceflow.SQLite:   {{"unique constraint", sqliteUniqueViolation(t), true}},
	}
	ctx := context.Background()
	for d, cases := range tests {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", d, tc.name), func(t *testing.T) {
				f := &sqldbtest.DB{}
				s, err := sqlstore.New(ctx, f.Open(t), sqlstore.Config{Dialect: d, SkipMigrations: true})
				require.NoError(t, err)
				f.FailOn(sqlstore.DefaultTablePrefix, tc.err)
				appendErr := s.Commands().Append(ctx, command("e-1", 1, "m-1"))
				saveErr := s.Entities().Save(ctx, "order", "o-1", []byte("{}"), 0)
				for _, err := range []error{appendErr, saveErr} {
					require.ErrorIs(t, err, tc.err)
					assert.False(t, sourceflow.IsPermanent(err), "%v", err)
				}
				assert.Equal(t, tc.duplicate, errors.Is(appendErr, cqrs.ErrDuplicateCommand), "append: %v", appendErr)
				assert.Equal(t, tc.duplicate, errors.Is(saveErr, cqrs.ErrConflict), "save: %v", saveErr)
			})
		}
	}
}
