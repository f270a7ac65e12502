package sqldbtest

import (
	"context"
	"database/sql/driver"
	"io"
)

type connector struct{ f *DB }

func (c connector) Connect(context.Context) (driver.Conn, error) { return conn(c), nil }
func (connector) Driver() driver.Driver                          { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, driver.ErrSkip }

type conn struct{ f *DB }

func (conn) Prepare(string) (driver.Stmt, error) { return nil, driver.ErrSkip }
func (conn) Close() error                        { return nil }
func (conn) Begin() (driver.Tx, error)           { return tx{}, nil }

func (c conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	if err := c.f.run(ctx, "BEGIN", nil); err != nil {
		return nil, err
	}
	return tx{}, nil
}

func (c conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.f.run(ctx, q, args); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

func (c conn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.f.run(ctx, q, args); err != nil {
		return nil, err
	}
	return c.f.rows(q), nil
}

type tx struct{}

func (tx) Commit() error   { return nil }
func (tx) Rollback() error { return nil }

// rows is left rows holding values, a column each.
type rows struct {
	left   int
	values []driver.Value
}

func (r *rows) Columns() []string {
	names := make([]string, len(r.values))
	for i := range names {
		names[i] = "x"
	}
	return names
}

func (*rows) Close() error { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.left == 0 {
		return io.EOF
	}
	r.left--
	copy(dest, r.values)
	return nil
}
