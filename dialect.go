package sourceflow

import (
	"errors"
	"fmt"
)

// Dialect names a SQL database kind. Every SQL package of the module takes
// one: the model's and the idempotency stores (all three kinds), the SQL
// transport and the transactional outbox (Postgres and MySQL).
type Dialect string

const (
	// Postgres is PostgreSQL (13 or later for the transport and the outbox)
	// through the pgx stdlib driver ("pgx").
	Postgres Dialect = "postgres"
	// MySQL is MySQL 8 or MariaDB 10.5+ through go-sql-driver/mysql ("mysql").
	MySQL Dialect = "mysql"
	// SQLite is SQLite through the CGO-free modernc.org/sqlite driver
	// ("sqlite").
	SQLite Dialect = "sqlite"
)

// ErrUnknownDialect is returned for a dialect other than Postgres, MySQL
// and SQLite.
var ErrUnknownDialect = errors.New("sourceflow: unknown dialect")

// DriverName returns the database/sql driver name of d, or "" for an
// unknown dialect. The SQL packages register the drivers.
func (d Dialect) DriverName() string {
	switch d {
	case Postgres:
		return "pgx"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return ""
}

// Validate reports an unknown dialect.
func (d Dialect) Validate() error {
	if d.DriverName() == "" {
		return fmt.Errorf("%w: %q (want %q, %q or %q)", ErrUnknownDialect, string(d), Postgres, MySQL, SQLite)
	}
	return nil
}
