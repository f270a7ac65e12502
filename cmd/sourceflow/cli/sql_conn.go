package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// sqlConn is an open database of the sql commands.
type sqlConn struct {
	db     *sql.DB
	target dsnTarget
	// timeout is --timeout, named in messages.
	timeout string
}

// openSQL parses the DSN of f, opens the database and pings it within
// ctx and f.checkTimeout; name, the command's, starts its errors. The
// caller closes the returned connection.
func (g *globals) openSQL(ctx context.Context, name string, f connFlags) (*sqlConn, error) {
	if err := checkTimeoutErr(f.checkTimeout); err != nil {
		return nil, err
	}
	t, err := f.resolveDSN()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(t.dialect.DriverName(), t.driverDSN())
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("open %s: %w", t.redacted, t.scrub(err))}
	}
	c := &sqlConn{db: db, target: t, timeout: g.timeout.String()}
	pingCtx, cancel := context.WithTimeout(ctx, f.checkTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		if cutByBound(ctx, err) {
			return nil, c.unanswered(name+": connect", err, f.checkTimeout)
		}
		return nil, c.failure(name+": connect", err)
	}
	return c, nil
}

// unanswered is the error of a connection check (what) that the database
// did not answer within --check-timeout (bound).
func (c *sqlConn) unanswered(what string, err error, bound time.Duration) error {
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s (%s): %w\nthe database did not answer within --check-timeout (%s): "+
		"check that it runs and that %s (or --dsn) names it (%s), or allow more time with --check-timeout",
		what, c.target.where(), c.target.scrub(err), bound, dsnEnv, c.target.redacted)}
}

// driverDSN is the DSN openSQL gives the driver: a MySQL one gets a
// readTimeout and a writeTimeout of sqldb.MySQLIOTimeout, each unless it
// sets it, as the services' stores do, so a call on a server that stopped
// answering (a COMMIT, which takes no context) fails instead of hanging. The
// commands' statements are short: prune deletes and redrive moves rows in
// batches, and a lock wait ends first (InnoDB's default 50 s); only depth's
// count of a backlog of very many rows could take longer, and a DSN that
// sets its own readTimeout keeps it.
func (t dsnTarget) driverDSN() string { return sqldb.WithMySQLTimeouts(t.dialect, t.dsn) }

// close closes the database.
func (c *sqlConn) close() { _ = c.db.Close() }

// failure is the error of a failed database call: what failed (starting
// with the command's name), where, and what to check. A call cut short by
// the command's time or by an interrupt says so instead, and so does a
// connection that could not read a file the DSN names (a TLS certificate).
func (c *sqlConn) failure(what string, err error) error {
	unreadable := sqldb.PgxUnreadableFile(err)
	err = c.target.scrub(withoutDSN(err))
	where := c.target.where()
	switch {
	case unreadable:
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s (%s): %w\nthe DSN names a file that cannot be read here: "+
			"check its path and that this user may read it", what, where, err)}
	case errors.Is(err, context.Canceled):
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s: interrupted: %w", what, err)}
	case errors.Is(err, context.DeadlineExceeded):
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s (%s): %w\nthe database did not answer within --timeout %s: "+
			"check that it runs and that %s (or --dsn) names it (%s), or allow more time with --timeout",
			what, where, err, c.timeout, dsnEnv, c.target.redacted)}
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s (%s): %w\ncheck that the database runs and that %s (or --dsn) "+
		"names it (%s) with a user that may read and write the tables; `sourceflow sql --help` lists the privileges",
		what, where, err, dsnEnv, c.target.redacted)}
}

// withoutDSN returns err, or, for pgx's error of parsing the DSN when it
// connects (a file the DSN names that cannot be read), the problem pgx
// found without the DSN it quotes: pgx masks only the passwords it
// recognises there, not all of one holding an escaped quote or space.
func withoutDSN(err error) error {
	if !errors.As(err, new(*pgconn.ParseConfigError)) {
		return err
	}
	return errors.New(sqldb.PgxParseProblem(err))
}

// runSQL bounds cmd by --timeout, opens the database of f, and runs fn on
// it.
func (g *globals) runSQL(cmd *cobra.Command, f connFlags, fn func(ctx context.Context, c *sqlConn) error) error {
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	c, err := g.openSQL(ctx, "sql "+cmd.Name(), f)
	if err != nil {
		return err
	}
	defer c.close()
	c.warnPlaintext(ctx, cmd.ErrOrStderr())
	return fn(ctx, c)
}

// warnPlaintext prints on errOut, once, that the connection crosses a
// network in clear text, or in TLS that does not verify the server, when it
// does (sqldb.CheckPlaintext: CheckLink, which the DSN's host decides and
// names, and its TLS settings), with what to set in the DSN. It
// never fails the command nor writes on stdout: a check that fails, or does not answer
// within ctx or sqldb.DefaultConnectTimeout, prints nothing.
func (c *sqlConn) warnPlaintext(ctx context.Context, errOut io.Writer) {
	warning, _, err := sqldb.CheckPlaintext(ctx, c.db, c.target.dialect, c.target.dsn, sqldb.DefaultConnectTimeout, "sourceflow sql")
	if err == nil && warning != "" {
		_, _ = fmt.Fprintf(errOut, "warning: %s\n", warning)
	}
}

// runSQLOne checks that f names one destination or one outbox, then runs fn
// on the database as runSQL does, with its name and whether it is an
// outbox; an outbox whose dead-letter table is an sqlbus destination's
// messages table is refused first (refuseDestinationTable).
func (g *globals) runSQLOne(cmd *cobra.Command, f sqlTargetFlags, fn func(ctx context.Context, c *sqlConn, name string, isOutbox bool) error) error {
	name, isOutbox, err := f.target.one()
	if err != nil {
		return err
	}
	return g.runSQL(cmd, f.conn, func(ctx context.Context, c *sqlConn) error {
		if isOutbox {
			if err := c.refuseDestinationTable(ctx, "sql "+cmd.Name(), name); err != nil {
				return err
			}
		}
		return fn(ctx, c, name, isOutbox)
	})
}
