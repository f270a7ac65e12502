package sqldb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3/database"
)

// Dialect selects the SQL dialect and the database/sql driver.
type Dialect string

const (
	// Postgres is PostgreSQL through the pgx stdlib driver ("pgx").
	Postgres Dialect = "postgres"
	// MySQL is MySQL 8 or MariaDB 10.5+ through go-sql-driver/mysql ("mysql").
	MySQL Dialect = "mysql"
	// SQLite is SQLite through the CGO-free modernc.org/sqlite driver ("sqlite").
	SQLite Dialect = "sqlite"
)

// DriverName returns the database/sql driver name of d, or "" for an
// unknown dialect.
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

// gooseDialect returns goose's name of d.
func (d Dialect) gooseDialect() database.Dialect {
	switch d {
	case Postgres:
		return database.DialectPostgres
	case MySQL:
		return database.DialectMySQL
	}
	return database.DialectSQLite3
}

// Rebind rewrites the "?" placeholders of query into $1, $2, … for
// PostgreSQL and returns it unchanged for the other dialects. Queries are
// written with "?" and arguments in textual order.
func (d Dialect) Rebind(query string) string {
	if d != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ValidIdentifier reports whether name is "name" or "schema.name", each part
// a letter or underscore followed by letters, digits or underscores, at most
// 63 bytes. Table names are spliced into SQL, so nothing else is accepted.
func ValidIdentifier(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 63 || (p[0] >= '0' && p[0] <= '9') || !ValidWord(p) {
			return false
		}
	}
	return true
}

// ValidWord reports whether s holds ASCII letters, digits and underscores
// only, the characters a name spliced into SQL may have.
func ValidWord(s string) bool {
	for _, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
