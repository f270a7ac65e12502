package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrMissingTable wraps a health check's finding that a table a store uses
// is not in the database (dropped, or another database or schema than the
// one the store was opened on): every request of the store fails until it
// is there again.
var ErrMissingTable = errors.New("table missing")

// Tables are tables a health check looks for (unquoted names, optionally
// schema-qualified) and what to do when one is missing.
type Tables struct {
	Names []string
	// Remedy says how to make a missing table again; "" is StoreRemedy.
	Remedy string
}

// StoreRemedy is the remedy of a missing table of a store that records
// its schema's version: opening the store again does not make it.
const StoreRemedy = "the schema version table records the tables as created, so opening the store again does not " +
	"create them: restore the table from a backup, or create it empty with the store's SchemaSQL statements"

// Check is a health check of a store's database: it reports whether db, a
// d database at dsn ("" when the caller opened the pool), answers Open's
// connection check (a ping; a statement on MySQL, where an account whose
// password expired answers a ping) and holds the tables of each group,
// within timeout or ctx's deadline, if earlier. The tables are checked by
// one query that reads no row; when the server answers that one is
// missing, one more such query per table finds each missing one. A
// database that does not answer is ErrUnreachable, one that refuses the
// DSN's account is ErrInvalidConfig (see connFailed), and missing tables
// are ErrMissingTable, naming every one with its group's remedy. A pool
// whose every connection stayed in use until the bound is neither: its
// error says so (poolBusy).
func Check(ctx context.Context, db *sql.DB, d Dialect, dsn string, timeout time.Duration, groups ...Tables) error {
	bound := checkBound(ctx, timeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := connCheck(ctx, db, d); err != nil {
		if busy := poolBusy(db, err); busy != nil {
			return busy
		}
		return connFailed(d, dsn, bound, err)
	}
	var tables []string
	for _, g := range groups {
		tables = append(tables, g.Names...)
	}
	if len(tables) == 0 {
		return nil
	}
	err := probeTables(ctx, db, tables)
	switch {
	case err == nil:
		return nil
	case noSuchTable(err):
		return missingTables(ctx, db, groups, err)
	}
	return fmt.Errorf("check tables %s: %w", strings.Join(tables, ", "), err)
}

// probeTables runs tablesProbe(tables).
func probeTables(ctx context.Context, db *sql.DB, tables []string) error {
	rows, err := db.QueryContext(ctx, tablesProbe(tables))
	if err == nil {
		err = errors.Join(rows.Close(), rows.Err())
	}
	return err
}

// tablesProbe is a query that names every table and reads no row of any:
// it fails when one of them does not exist.
func tablesProbe(tables []string) string {
	parts := make([]string, len(tables))
	for i, t := range tables {
		// #nosec G202 -- the stores' table names are validated identifiers (ValidIdentifier).
		parts[i] = "SELECT 1 FROM " + t + " WHERE 1 = 0"
	}
	return strings.Join(parts, " UNION ALL ")
}

// mysqlNoSuchTable is MySQL's ER_NO_SUCH_TABLE.
const mysqlNoSuchTable = 1146

// noSuchTable reports whether err is the server's answer that a table
// does not exist: PostgreSQL's undefined_table (42P01), MySQL's
// ER_NO_SUCH_TABLE, SQLite's "no such table".
func noSuchTable(err error) bool {
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		return e.Code == "42P01"
	}
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return e.Number == mysqlNoSuchTable
	}
	return strings.Contains(err.Error(), "no such table")
}

// poolBusy is the error of a connection check err that ended waiting for
// one of db's connections, every one of which was in use: a burst, or
// connections held, keep this instance from the database, which may well
// answer. Nil for any other failure.
func poolBusy(db *sql.DB, err error) error {
	st := db.Stats()
	if !errors.Is(err, context.DeadlineExceeded) || st.MaxOpenConnections == 0 || st.InUse < st.MaxOpenConnections {
		return nil
	}
	return fmt.Errorf("every one of the pool's %d connections stayed in use while the check waited for one "+
		"(the database may answer: a burst, or connections held open, leave none to spare; raise the pool's "+
		"MaxOpenConns or find what holds them): %w", st.MaxOpenConnections, err)
}
