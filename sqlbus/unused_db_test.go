package sqlbus

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"
)

// unusedDB returns a *sql.DB for a test that never reaches the database:
// sql.OpenDB does not connect, and its driver is none whose dialect the
// configuration check knows, so any Dialect goes with it.
func unusedDB(t *testing.T) *sql.DB {
	t.Helper()
	db := sql.OpenDB(unusedConnector{})
	t.Cleanup(func() { _ = db.Close() })
	return db
}

type unusedConnector struct{}

func (unusedConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("the test's database is never connected")
}

func (unusedConnector) Driver() driver.Driver { return unusedDriver{} }

type unusedDriver struct{}

func (unusedDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("the test's database is never connected")
}
