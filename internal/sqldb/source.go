package sqldb

import (
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// SourceOf returns what names the database dsn points to, for telling two
// pools on one database apart from pools on two: the dialect, the server's
// address and the database (for SQLite, the file). It errs towards two: two
// DSNs get one source only when every setting that can make the same
// statement reach other tables is the same. On PostgreSQL these are every
// host and port (fallbacks too), the database (the user's name when none
// is given, as the server takes it), the user (the default search_path
// starts with "$user") and the search_path and options runtime parameters;
// on MySQL the network, address and database. Other settings (password,
// timeouts, pool sizes, TLS) are left out. It returns "" when the database
// is not known: an empty DSN or one the driver cannot read, a MySQL DSN
// naming no database, or an in-memory SQLite database. It holds no
// password.
func SourceOf(d Dialect, dsn string) string {
	if dsn == "" {
		return ""
	}
	switch d {
	case Postgres:
		return postgresSource(dsn)
	case MySQL:
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil || cfg.DBName == "" {
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

// postgresSource is SourceOf a PostgreSQL DSN.
func postgresSource(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return ""
	}
	hosts := []string{net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))}
	for _, fb := range cfg.Fallbacks {
		if h := net.JoinHostPort(fb.Host, strconv.Itoa(int(fb.Port))); !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	database := cfg.Database
	if database == "" {
		database = cfg.User
	}
	return strings.Join([]string{string(Postgres), strings.Join(hosts, ","), database, cfg.User,
		cfg.RuntimeParams["search_path"], cfg.RuntimeParams["options"]}, "|")
}
