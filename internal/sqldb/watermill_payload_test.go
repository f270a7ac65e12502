package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// payloadServer answers as a MySQL server does to a role: information_schema
// lists no column (as for a table the role has no privilege on), and a
// query of the table's payload column gets err, or, when err is nil, an
// answer of no row whose column is of type typ.
type payloadServer struct {
	typ string
	err error
}

func (s payloadServer) Connect(context.Context) (driver.Conn, error) { return payloadConn{s}, nil }
func (payloadServer) Driver() driver.Driver                          { return nil }

type payloadConn struct{ s payloadServer }

func (payloadConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("no prepare") }
func (payloadConn) Close() error                        { return nil }
func (payloadConn) Begin() (driver.Tx, error)           { return nil, errors.New("no transaction") }

func (c payloadConn) QueryContext(_ context.Context, q string, _ []driver.NamedValue) (driver.Rows, error) {
	if strings.Contains(q, "information_schema") {
		return &payloadRows{column: "COUNT(*)", values: []driver.Value{int64(0)}}, nil
	}
	if c.s.err != nil {
		return nil, c.s.err
	}
	return &payloadRows{column: "payload", typ: c.s.typ}, nil
}

type payloadRows struct {
	column, typ string
	values      []driver.Value
}

func (r *payloadRows) Columns() []string                     { return []string{r.column} }
func (r *payloadRows) Close() error                          { return nil }
func (r *payloadRows) ColumnTypeDatabaseTypeName(int) string { return r.typ }
func (r *payloadRows) Next(dest []driver.Value) error {
	if len(r.values) == 0 {
		return io.EOF
	}
	dest[0], r.values = r.values[0], r.values[1:]
	return nil
}

// On MySQL a table the role may not read is not taken for a table without
// a binary payload column: information_schema hides its columns, so the
// lookup asks the table, and fails with the server's refusal. A table
// that does not exist has none; one whose payload is a BLOB has one.
func TestWatermillBinaryPayload_MySQLFailsOnATableTheRoleCannotRead(t *testing.T) {
	denied := &mysql.MySQLError{Number: 1142, Message: "SELECT command denied to user 'ops'@'%' for table `sourceflow`.`watermill_t`"}
	db := sql.OpenDB(payloadServer{err: denied})
	t.Cleanup(func() { _ = db.Close() })
	binary, err := WatermillBinaryPayload(t.Context(), db, MySQL, "t")
	require.ErrorIs(t, err, denied)
	assert.False(t, binary)
	assert.Contains(t, err.Error(), "look up the payload column of watermill_t: Error 1142")

	for name, c := range map[string]struct {
		server payloadServer
		want   bool
	}{
		"no table": {payloadServer{err: &mysql.MySQLError{Number: 1146, Message: "Table 'sourceflow.watermill_t' doesn't exist"}}, false},
		"blob":     {payloadServer{typ: "BLOB"}, true},
		"longtext": {payloadServer{typ: "LONGTEXT"}, false},
		"json":     {payloadServer{typ: "JSON"}, false},
	} {
		db := sql.OpenDB(c.server)
		t.Cleanup(func() { _ = db.Close() })
		binary, err := WatermillBinaryPayload(t.Context(), db, MySQL, "t")
		require.NoError(t, err, name)
		assert.Equal(t, c.want, binary, name)
	}
}
