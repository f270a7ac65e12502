package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// PlaintextWarning is the warning about a connection of component to the
// d database at addr that crosses a network in clear text, with what to
// set in the DSN to encrypt it.
func PlaintextWarning(component string, d Dialect, addr string) string {
	advice := "set sslmode=verify-full and sslrootcert=<the CA's certificate file> in the DSN " +
		"(pgx's default, sslmode=prefer, falls back to clear text without a word)"
	if d == MySQL {
		advice = "add tls=true, or the name of a TLS config registered with mysql.RegisterTLSConfig, " +
			"to the DSN (go-sql-driver/mysql uses no TLS by default)"
	}
	return fmt.Sprintf("%s: the connection to %s at %s is not encrypted: its statements and data cross the network "+
		"in clear text; %s", component, d, addr, advice)
}

// UnverifiedWarning is the warning about a connection of component to the
// d database at addr that crosses a network in TLS without the client
// verifying the server, with what to set in the DSN to verify it.
func UnverifiedWarning(component string, d Dialect, addr string) string {
	modes := "sslmode=prefer (pgx's default) and sslmode=require accept any certificate"
	advice := "set sslmode=verify-full and sslrootcert=<the CA's certificate file> in the DSN"
	if d == MySQL {
		modes = "tls=skip-verify and tls=preferred accept any certificate"
		advice = "set tls=true, or the name of a TLS config registered with mysql.RegisterTLSConfig " +
			"that verifies the server, in the DSN"
	}
	return fmt.Sprintf("%s: the connection to %s at %s is encrypted but the server's certificate is not verified (%s): "+
		"anyone on the network path can pose as the server, then read and change its statements and data; %s",
		component, d, addr, modes, advice)
}

// WarnPlaintext checks one connection of db (CheckPlaintext: CheckLink,
// with dsn or the DSN ctx carries for db) within timeout, or ctx's end if
// sooner, and logs
// the warning CheckPlaintext returns (slogdefault.Warn: at slog's Warn on
// the default Logger, which stands in for a nil or no-op logger, at Info
// on a logger without a Warn method) when
// someone on the network path could read it: in clear text, or in TLS
// without verifying the server. It never fails its
// caller: an error of the check itself is logged at debug level only.
// component, the package that opened or was given db, starts the message.
// It reports whether the check concluded: false when ctx ended before the
// server answered, which leaves the question open (see PlaintextOnce).
func WarnPlaintext(ctx context.Context, db *sql.DB, d Dialect, dsn string, timeout time.Duration,
	logger watermill.LoggerAdapter, component string) (concluded bool) {
	warning, addr, err := CheckPlaintext(ctx, db, d, dsn, timeout, component)
	switch {
	case err != nil:
		logger.Debug(component+": could not check whether the database connection is encrypted",
			watermill.LogFields{"err": err.Error()})
		return ctx.Err() == nil
	case warning != "":
		slogdefault.Warn(logger, warning, watermill.LogFields{"address": addr})
	}
	return true
}

// CheckPlaintext checks one connection of db (CheckLink, with dsn, which
// may be "": then with the DSN ctx carries for db, if any, see
// WithOpenedFrom) within timeout, or ctx's end if sooner. When the connection
// crosses a network in clear text, warning is PlaintextWarning for
// component; when it crosses one in TLS without verifying the server
// (Link.UnverifiedTLS), UnverifiedWarning; addr is then the address it
// names. Otherwise both are "". err is the check's own error.
func CheckPlaintext(ctx context.Context, db *sql.DB, d Dialect, dsn string, timeout time.Duration,
	component string) (warning, addr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	l, err := CheckLink(ctx, db, d, dsnOf(ctx, db, dsn))
	switch {
	case err != nil:
		return "", "", err
	case l.Plaintext():
		return PlaintextWarning(component, d, l.Addr), l.Addr, nil
	case l.UnverifiedTLS():
		return UnverifiedWarning(component, d, l.Addr), l.Addr, nil
	}
	return "", "", nil
}
