package sqldb

import (
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// DriverMismatch reports a db whose driver is another dialect's than d:
// pgx's database/sql driver is Postgres's, go-sql-driver/mysql's MySQL's
// and modernc.org/sqlite's SQLite's. Any other driver passes (one wrapped
// for tracing, say, whose dialect only the database knows), as do a nil db
// and an invalid d, which the caller's Validate reports. It does not
// connect. The caller reports the problem as a configuration error
// (InvalidConfig).
func DriverMismatch(d Dialect, db *sql.DB) error {
	if db == nil || d.Validate() != nil {
		return nil
	}
	drv := db.Driver()
	got, known := driverDialect(drv)
	if !known || got == d {
		return nil
	}
	return fmt.Errorf("Config.Dialect is %s, but the database was opened with the %s driver (%T)", d, got, drv)
}

// driverDialect returns the dialect of drv, when drv is one of the drivers
// this package registers.
func driverDialect(drv driver.Driver) (Dialect, bool) {
	switch drv.(type) {
	case *stdlib.Driver:
		return Postgres, true
	case *mysql.MySQLDriver, mysql.MySQLDriver:
		return MySQL, true
	case *sqlite.Driver:
		return SQLite, true
	}
	return "", false
}
