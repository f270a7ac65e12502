package sqldb

import (
	"strconv"
	"strings"

	"github.com/pressly/goose/v3/database"

	"github.com/sourceflow-go/sourceflow"
)

// Dialect is the module's SQL dialect; the constants are its values, for
// the code of this package.
type Dialect = sourceflow.Dialect

// The dialects.
const (
	Postgres = sourceflow.Postgres
	MySQL    = sourceflow.MySQL
	SQLite   = sourceflow.SQLite
)

// gooseDialect returns goose's name of d.
func gooseDialect(d Dialect) database.Dialect {
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
func Rebind(d Dialect, query string) string {
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
