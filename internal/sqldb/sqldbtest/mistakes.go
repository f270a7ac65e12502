package sqldbtest

import (
	"database/sql"
	"errors"
	"io"
	"strings"
	"testing"
)

// OpenRefusesUnreadableDSN checks a store's Open: open, given a DSN the
// postgres driver cannot read, returns errInvalid, found before any
// connection, not errUnreachable (which callers retry), and the error names
// the dialect without the DSN's password. open opens the store with the
// postgres dialect and returns its error, having closed any store it got
// (see Closed).
func OpenRefusesUnreadableDSN(t testing.TB, errInvalid, errUnreachable error, open func(dsn string) error) {
	t.Helper()
	for _, dsn := range []string{"garbage", "u:s3cret@tcp(h:1)/db", "postgres://u:s3cret@h:bad-port/db"} {
		err := open(dsn)
		switch {
		case !errors.Is(err, errInvalid):
			t.Errorf("DSN %q: error %v, want %v", dsn, err, errInvalid)
		case errors.Is(err, errUnreachable):
			t.Errorf("DSN %q: error %v is also %v", dsn, err, errUnreachable)
		case !strings.Contains(err.Error(), "postgres DSN"):
			t.Errorf("DSN %q: error %q does not name the postgres DSN", dsn, err)
		case strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), dsn):
			t.Errorf("DSN %q: error %q shows the DSN or its password", dsn, err)
		}
	}
}

// NewRefusesOtherDriver checks a store's New: newStore, given a database
// opened with another dialect's driver than the dialect it is given,
// returns errInvalid naming both, before any statement (sql.Open does not
// connect). newStore returns its error, having closed any store it got (see
// Closed). The drivers are those the SQL packages register.
func NewRefusesOtherDriver(t testing.TB, errInvalid error, newStore func(db *sql.DB, dialect string) error) {
	t.Helper()
	for _, tt := range []struct{ driver, dsn, dialect, other string }{
		{"mysql", "u:p@tcp(127.0.0.1:1)/db", "postgres", "mysql"},
		{"pgx", "postgres://u:p@127.0.0.1:1/db", "mysql", "postgres"},
		{"sqlite", ":memory:", "postgres", "sqlite"},
	} {
		db, err := sql.Open(tt.driver, tt.dsn)
		if err != nil {
			t.Fatalf("open a %s database: %v", tt.driver, err)
		}
		t.Cleanup(func() { _ = db.Close() })
		err = newStore(db, tt.dialect)
		switch {
		case !errors.Is(err, errInvalid):
			t.Errorf("%s on a %s database: error %v, want %v", tt.dialect, tt.other, err, errInvalid)
		case !strings.Contains(err.Error(), "Dialect is "+tt.dialect) ||
			!strings.Contains(err.Error(), "the "+tt.other+" driver"):
			t.Errorf("%s on a %s database: error %q does not name both", tt.dialect, tt.other, err)
		}
	}
}

// Closed closes s unless it is nil and returns err, so a test that only
// wants a constructor's error does not leave a store open.
func Closed[S interface {
	comparable
	io.Closer
}](s S, err error) error {
	var none S
	if s != none {
		_ = s.Close()
	}
	return err
}
