package outbox_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"strings"
	"sync"
	"time"
)

// fakeDB is a database/sql database, without a server, whose statements
// succeed and return no rows (one row for the existence checks), except
// those whose text contains hangOn: they wait until their context is done,
// as a statement does on a server that stopped answering or behind a lock.
// It records the text of every query and counts the statements in flight.
type fakeDB struct {
	hangOn string // "" hangs on nothing, "*" on everything (BEGIN included)
	// abandon is how long a hanging statement takes to return once its
	// context ended, as a driver does while it cancels the statement on
	// the server.
	abandon time.Duration

	mu       sync.Mutex
	queries  []string
	inFlight int
}

// openFakeDB opens f, closed after the test.
func openFakeDB(t interface{ Cleanup(func()) }, f *fakeDB) *sql.DB {
	db := sql.OpenDB(fakeConnector{f})
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// seen returns the recorded queries containing s.
func (f *fakeDB) seen(s string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, q := range f.queries {
		if strings.Contains(q, s) {
			out = append(out, q)
		}
	}
	return out
}

// running returns how many statements are in flight.
func (f *fakeDB) running() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight
}

// run records q and waits for ctx when q is to hang.
func (f *fakeDB) run(ctx context.Context, q string) error {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.inFlight++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.hangOn == "*" || (f.hangOn != "" && strings.Contains(q, f.hangOn)) {
		<-ctx.Done()
		time.Sleep(f.abandon)
		return ctx.Err()
	}
	return nil
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

func (c fakeConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	if err := c.f.run(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return fakeTx{}, nil
}

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
	if strings.Contains(q, "sourceflow_outbox_locks") || strings.Contains(q, "SELECT 1 FROM") {
		return &fakeRows{left: 1}, nil
	}
	return &fakeRows{}, nil
}

type fakeTx struct{}

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }

// fakeRows is left rows of one column holding "1".
type fakeRows struct{ left int }

func (*fakeRows) Columns() []string { return []string{"x"} }
func (*fakeRows) Close() error      { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.left == 0 {
		return io.EOF
	}
	r.left--
	dest[0] = "1"
	return nil
}
