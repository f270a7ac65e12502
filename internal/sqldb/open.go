package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DefaultConnectTimeout is Config.ConnectTimeout's default, and bounds the
// check of a database the caller opened (WarnPlaintext).
const DefaultConnectTimeout = 10 * time.Second

// Config says which database to open. It is the part of a SQL store's
// Config that opens the database, and its fields have the same names:
// Validate's problems name them as that Config's ("Config.DSN must not be
// empty").
type Config struct {
	// Dialect is the database kind. Required.
	Dialect Dialect
	// DSN is the driver's connection string. Required. For SQLite, Open adds
	// a busy timeout of 30 s, WAL and immediate transactions unless the DSN
	// sets them; for MySQL, a readTimeout and a writeTimeout of
	// MySQLIOTimeout (60 s) unless the DSN sets them.
	DSN string
	// MaxOpenConns bounds the connection pool. Default 16. For PostgreSQL
	// and MySQL, a quarter of those (at least one, see MaxIdleConns) stay
	// open when unused, each for at most ConnMaxIdleTime (5 minutes); a
	// SQLite pool keeps every unused connection open.
	MaxOpenConns int
	// ConnectTimeout bounds the connection check at open; when ctx has an
	// earlier deadline, that deadline bounds it. Default 10 s.
	ConnectTimeout time.Duration
}

func (c *Config) setDefaults() {
	c.MaxOpenConns = cmp.Or(c.MaxOpenConns, 16)
	c.ConnectTimeout = cmp.Or(c.ConnectTimeout, DefaultConnectTimeout)
}

// Validate reports every invalid field, a DSN the dialect's driver cannot
// read included (without the DSN: see checkDSN).
func (c Config) Validate() error {
	return errors.Join(c.ValidateSettings(), c.ValidateDSN())
}

// ValidateDSN reports an empty DSN, and one the dialect's driver cannot
// read (without the DSN: see checkDSN) when the dialect is valid.
func (c Config) ValidateDSN() error {
	switch {
	case c.DSN == "":
		return errors.New("Config.DSN must not be empty")
	case c.Dialect.Validate() == nil:
		return checkDSN(c.Dialect, c.DSN)
	}
	return nil
}

// ValidateSettings reports every invalid field but DSN, which a store given
// an open database does not use.
func (c Config) ValidateSettings() error {
	var errs []error
	if err := c.Dialect.Validate(); err != nil {
		errs = append(errs, fieldProblem("Config.Dialect", err))
	}
	return errors.Join(append(errs,
		fieldcheck.NotNegative("Config.MaxOpenConns", c.MaxOpenConns),
		fieldcheck.NotNegative("Config.ConnectTimeout", c.ConnectTimeout),
	)...)
}

// Open opens the database and checks the connection within
// cfg.ConnectTimeout (or ctx's deadline, if earlier). A database that does
// not answer, or fails the check otherwise, is ErrUnreachable naming the
// dialect and the address, never a hang. An invalid cfg, a DSN the driver
// cannot read among them, is ErrInvalidConfig, before any connection is
// tried; so is, once the server answered, its refusal of the DSN's user,
// password or database (see refusedLogin), or of the account or the
// connection (a host not allowed or blocked, TLS required, an expired
// password, a locked account: see accessRefusal), which no retry changes.
func Open(ctx context.Context, cfg Config) (*sql.DB, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	dsn := WithMySQLTimeouts(cfg.Dialect, withSQLitePragmas(cfg.Dialect, cfg.DSN))
	db, err := sql.Open(cfg.Dialect.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s at %s: %w", cfg.Dialect, Address(cfg.Dialect, cfg.DSN), err)
	}
	limitPool(db, cfg.Dialect, cfg.MaxOpenConns)
	bound := checkBound(ctx, cfg.ConnectTimeout)
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := connCheck(pingCtx, db, cfg.Dialect); err != nil {
		_ = db.Close()
		return nil, connFailed(cfg.Dialect, cfg.DSN, bound, err)
	}
	return db, nil
}

// connFailed is the error for the failed connection check err, within
// bound (checkBound), of the d database dsn names ("": a pool the caller opened, whose
// address is not known): ErrInvalidConfig when the server answered and
// refused the DSN's user, password or database (refusedLogin), or the
// account or the connection (accessRefusal, which names the cause and the
// remedy); ErrUnreachable otherwise.
func connFailed(d Dialect, dsn, bound string, err error) error {
	target := string(d)
	if dsn != "" {
		target += " at " + Address(d, dsn)
	}
	if refusal := accessRefusal(err); refusal != "" {
		return fmt.Errorf("%w: %s %s: %w", ErrInvalidConfig, target, refusal, err)
	}
	if refusedLogin(err) {
		return fmt.Errorf("%w: %s refused the DSN's user, password or database%s: %w", ErrInvalidConfig, target,
			withoutTLS(Config{Dialect: d, DSN: dsn}, err), err)
	}
	return fmt.Errorf("%w: %s (within %s): %w", ErrUnreachable, target, bound, err)
}

// withSQLitePragmas adds a busy timeout, WAL and immediate transactions to a
// SQLite DSN that sets none of them, so concurrent writers wait instead of
// failing with SQLITE_BUSY: a deferred transaction that reads and then writes
// fails at once when another connection wrote in between, while an immediate
// one takes the write lock when it begins and waits its turn.
func withSQLitePragmas(d Dialect, dsn string) string {
	if d != SQLite {
		return dsn
	}
	add := func(p string) {
		if strings.Contains(dsn, "?") {
			dsn += "&" + p
		} else {
			dsn += "?" + p
		}
	}
	if !strings.Contains(dsn, "busy_timeout") {
		add("_pragma=busy_timeout(30000)")
	}
	if !strings.Contains(dsn, "journal_mode") {
		add("_pragma=journal_mode(WAL)")
	}
	if !strings.Contains(dsn, "_txlock") {
		add("_txlock=immediate")
	}
	return dsn
}
