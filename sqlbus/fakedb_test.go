package sqlbus

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"strings"
	"sync"
	"testing"
)

// fakeDB is a database/sql database, without a server, whose statements
// succeed (GET_LOCK grants the lock; other queries return no rows), except
// those whose text contains the hang pattern: they wait until their context
// is done, as a CREATE TABLE does behind a metadata lock. It counts the
// statements by text.
type fakeDB struct {
	hanging chan string // receives each statement that starts to hang, if there is room

	mu     sync.Mutex
	hangOn string
	ran    []string
}

// openFakeDB opens a fakeDB hanging on statements containing hangOn ("" for
// none), closed after the test.
func openFakeDB(t *testing.T, hangOn string) (*fakeDB, *sql.DB) {
	f := &fakeDB{hangOn: hangOn, hanging: make(chan string, 16)}
	db := sql.OpenDB(fakeConnector{f})
	t.Cleanup(func() { _ = db.Close() })
	return f, db
}

// hangOnStatements makes the statements containing s hang ("" for none).
func (f *fakeDB) hangOnStatements(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hangOn = s
}

// count returns how many statements containing s ran.
func (f *fakeDB) count(s string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.ran {
		if strings.Contains(q, s) {
			n++
		}
	}
	return n
}

// run records q and waits for ctx when q is to hang.
func (f *fakeDB) run(ctx context.Context, q string) error {
	f.mu.Lock()
	f.ran = append(f.ran, q)
	hang := f.hangOn != "" && strings.Contains(q, f.hangOn)
	f.mu.Unlock()
	if !hang {
		return nil
	}
	select {
	case f.hanging <- q:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

type fakeConnector struct{ f *fakeDB }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return fakeConn(c), nil }
func (fakeConnector) Driver() driver.Driver                          { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, driver.ErrSkip }

type fakeConn struct{ f *fakeDB }

func (fakeConn) Prepare(string) (driver.Stmt, error) { return nil, driver.ErrSkip }
func (fakeConn) Close() error                        { return nil }
func (fakeConn) Begin() (driver.Tx, error)           { return fakeTx{}, nil }

func (c fakeConn) ExecContext(ctx context.Context, q string, _ []driver.NamedValue) (driver.Result, error) {
	if err := c.f.run(ctx, q); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

func (c fakeConn) QueryContext(ctx context.Context, q string, _ []driver.NamedValue) (driver.Rows, error) {
	if err := c.f.run(ctx, q); err != nil {
		return nil, err
	}
	if strings.Contains(q, "GET_LOCK") {
		return &fakeRows{left: 1}, nil
	}
	return &fakeRows{}, nil
}

type fakeTx struct{}

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }

// fakeRows is left rows of one column holding 1.
type fakeRows struct{ left int }

func (*fakeRows) Columns() []string { return []string{"x"} }
func (*fakeRows) Close() error      { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.left == 0 {
		return io.EOF
	}
	r.left--
	dest[0] = int64(1)
	return nil
}
