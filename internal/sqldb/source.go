package sqldb

import (
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// SourceOf returns what names the database dsn points to, for telling two
// pools on one database apart from pools on two: the dialect, the server's
// address and the database (for SQLite, the file). Settings that do not
// change the database (user, timeouts, pool sizes) are left out. It returns
// "" when that is not known: an empty DSN or one the driver cannot read, or
// an in-memory SQLite database. It holds no credentials.
func SourceOf(d Dialect, dsn string) string {
	if dsn == "" {
		return ""
	}
	switch d {
	case Postgres:
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return ""
		}
		return string(d) + "|" + readPostgresDSN(dsn).addr + "|" + cfg.Database
	case MySQL:
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return ""
		}
		return string(d) + "|" + cfg.Net + "|" + cfg.Addr + "|" + cfg.DBName
	case SQLite:
		path := readDSN(d, dsn).addr
		if path == "" || strings.Contains(path, ":memory:") || strings.Contains(dsn, "mode=memory") {
			return ""
		}
		return string(d) + "|" + path
	}
	return ""
}
