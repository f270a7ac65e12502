package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// refusal is an error a database returns for a write, and whether a retry
// can never succeed.
type refusal struct {
	name      string
	err       error
	permanent bool
}

func pgError(code string) error { return &pgconn.PgError{Code: code, Message: "code " + code} }

func mysqlError(number uint16, state string) error {
	me := &mysql.MySQLError{Number: number, Message: fmt.Sprint("error ", number)}
	copy(me.SQLState[:], state)
	return me
}

var refusals = map[sourceflow.Dialect][]refusal{
	sourceflow.Postgres: {
		{"value too long", pgError("22001"), true},
		{"not UTF-8 or NUL in text", pgError("22021"), true},
		{"NUL escape in JSONB", pgError("22P05"), true},
		{"NOT NULL", pgError("23502"), true},
		{"CHECK", pgError("23514"), true},
		{"program limit exceeded", pgError("54000"), true},
		{"serialization failure", pgError("40001"), false},
		{"deadlock", pgError("40P01"), false},
		{"query cancelled", pgError("57014"), false},
		{"too many connections", pgError("53300"), false},
		{"transaction aborted", pgError("25P02"), false},
		{"exclusion violation", pgError("23P01"), false},
	},
	sourceflow.MySQL: {
		{"data too long", mysqlError(1406, "22001"), true},
		{"incorrect string value", mysqlError(1366, "22007"), true},
		{"incorrect string value (MySQL's SQLSTATE)", mysqlError(1366, "HY000"), true},
		{"out of range", mysqlError(1264, "22003"), true},
		{"column cannot be null", mysqlError(1048, "23000"), true},
		{"MariaDB CHECK", mysqlError(4025, "23000"), true},
		{"MySQL CHECK", mysqlError(3819, "HY000"), true},
		{"packet too large", mysqlError(1153, "08S01"), true},
		{"deadlock", mysqlError(1213, "40001"), false},
		{"lock wait timeout", mysqlError(1205, "HY000"), false},
		{"server shutting down", mysqlError(1053, "08S01"), false},
	},
}

// sqliteRefusals returns errors a real SQLite database returns for values
// it refuses, and one it returns for a write that can succeed later.
func sqliteRefusals(t *testing.T) []refusal {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "refusals.db"))
	require.NoError(t, err)
	defer func() { assert.NoError(t, db.Close()) }()
	_, err = db.Exec(`CREATE TABLE t (x INTEGER NOT NULL CHECK (x > 0))`)
	require.NoError(t, err)
	_, notNull := db.Exec(`INSERT INTO t VALUES (NULL)`)
	_, check := db.Exec(`INSERT INTO t VALUES (0)`)
	_, missing := db.Exec(`SELECT * FROM missing`)
	require.Error(t, notNull)
	require.Error(t, check)
	require.Error(t, missing)
	return []refusal{{"NOT NULL", notNull, true}, {"CHECK", check, true}, {"no such table", missing, false}}
}

// TestWritesTheDatabaseRefusesAsInvalidArePermanent: a write the database
// refuses for its values (too long, out of range, not valid text for the
// column, a constraint) fails the same way on every try, so NextSequence,
// Append and Save return it as sourceflow.Permanent and the message is
// dead-lettered with the reason; a deadlock, a serialization failure, a
// lock wait timeout or a lost connection stays retryable.
func TestWritesTheDatabaseRefusesAsInvalidArePermanent(t *testing.T) {
	all := map[sourceflow.Dialect][]refusal{sourceflow.SQLite: sqliteRefusals(t)}
	for d, rs := range refusals {
		all[d] = rs
	}
	for d := range all {
		all[d] = append(all[d], refusal{"lost connection", driver.ErrBadConn, false})
	}
	ctx := context.Background()
	for d, rs := range all {
		for _, r := range rs {
			t.Run(fmt.Sprintf("%s/%s", d, r.name), func(t *testing.T) {
				f := &sqldbtest.DB{}
				s, err := sqlstore.New(ctx, f.Open(t), sqlstore.Config{Dialect: d, SkipMigrations: true})
				require.NoError(t, err)
				f.FailOn(sqlstore.DefaultTablePrefix, r.err) // the store's statements, not its read of max_allowed_packet
				for op, err := range map[string]error{
					"next sequence": second(s.Commands().NextSequence(ctx, "e-1")),
					"append":        s.Commands().Append(ctx, command("e-1", 1, "m-1")),
					"insert":        s.Entities().Save(ctx, "order", "o-1", []byte("{}"), 0),
					"update":        s.Views().Save(ctx, "summary", "o-1", []byte("{}"), 3),
				} {
					require.ErrorIs(t, err, r.err, op)
					assert.Equal(t, r.permanent, sourceflow.IsPermanent(err), "%s: %v", op, err)
					assert.NotErrorIs(t, err, cqrs.ErrConflict, op)
					assert.NotErrorIs(t, err, cqrs.ErrDuplicateCommand, op)
				}
			})
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestACommandTheDatabaseCannotStoreIsRefusedForGood: on PostgreSQL a
// command type holding NUL or invalid UTF-8, or a correlation id holding
// NUL (JSONB has no NUL), and on MySQL a type or destination that is not
// UTF-8, are refused by the database; the error is permanent, and the
// transaction it ran in rolls back, leaving no sequence reserved.
func TestACommandTheDatabaseCannotStoreIsRefusedForGood(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		if d.dialect == sourceflow.SQLite {
			t.Skip("SQLite stores any text")
		}
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		bad := map[string]func(c *cqrs.StoredCommand){
			"type not UTF-8":        func(c *cqrs.StoredCommand) { c.Envelope.Type = "orders.\xffCreate" },
			"destination not UTF-8": func(c *cqrs.StoredCommand) { c.Destination = "orders\xff" },
		}
		if d.dialect == sourceflow.Postgres {
			bad["type with NUL"] = func(c *cqrs.StoredCommand) { c.Envelope.Type = "orders.\x00Create" }
			bad["correlation id with NUL"] = func(c *cqrs.StoredCommand) { c.Envelope.CorrelationID = "c\x00" }
		}
		for name, spoil := range bad {
			err := s.WithinTx(ctx, func(ctx context.Context) error {
				seq, err := s.Commands().NextSequence(ctx, "e-1")
				if err != nil {
					return err
				}
				c := command("e-1", seq, "m-1")
				spoil(&c)
				return s.Commands().Append(ctx, c)
			})
			require.Error(t, err, name)
			assert.True(t, sourceflow.IsPermanent(err), "%s: %v", name, err)
			assert.False(t, errors.Is(err, cqrs.ErrDuplicateCommand), name)
		}
		seq, err := s.Commands().NextSequence(ctx, "e-1")
		require.NoError(t, err)
		assert.Equal(t, int64(1), seq, "the refused commands' transactions rolled back")
	})
}
