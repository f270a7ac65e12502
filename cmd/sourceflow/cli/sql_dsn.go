package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// dsnEnv is the environment variable the sql commands read the DSN from.
const dsnEnv = "SOURCEFLOW_SQL_DSN"

// redactedPassword stands for a password in what the commands print.
const redactedPassword = "xxxxx"

// connFlags are the connection flags of the sql commands.
type connFlags struct {
	dsn, dialect string
}

// addConnFlags adds --dsn and --dialect.
func addConnFlags(cmd *cobra.Command, f *connFlags) {
	cmd.Flags().StringVar(&f.dsn, "dsn", "", "database DSN; default $"+dsnEnv+
		" (prefer the variable: a flag's value shows in ps and in the shell's history)")
	cmd.Flags().StringVar(&f.dialect, "dialect", "", "postgres or mysql; default from the DSN "+
		"(postgres:// or postgresql://, in any case, is postgres, anything else mysql)")
}

// dsnTarget is a parsed DSN: what to open, and how to name it without
// its password.
type dsnTarget struct {
	dsn      string
	dialect  sourceflow.Dialect
	host     string // host and port, as the DSN gives them
	redacted string // the DSN with its password replaced
	password string // "" when the DSN has none
}

// resolveDSN finds the DSN (--dsn, else SOURCEFLOW_SQL_DSN) and its
// dialect, and parses it. Every error is a usage error.
func (f connFlags) resolveDSN() (dsnTarget, error) {
	dsn := f.dsn
	if dsn == "" {
		dsn = os.Getenv(dsnEnv)
	}
	if strings.TrimSpace(dsn) == "" {
		return dsnTarget{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("no database DSN: set %s "+
			"(export %s='postgres://user:password@host:5432/db' or 'user:password@tcp(host:3306)/db') or pass --dsn", dsnEnv, dsnEnv)}
	}
	d, err := dialectOf(dsn, f.dialect)
	if err != nil {
		return dsnTarget{}, &ExitError{Code: ExitUsage, Err: err}
	}
	if d == sourceflow.Postgres {
		dsn, _ = postgresURL(dsn)
	}
	t, err := parseDSN(dsn, d)
	if err != nil {
		return dsnTarget{}, &ExitError{Code: ExitUsage, Err: err}
	}
	return t, nil
}

// dialectOf returns flag's dialect, or the dialect dsn's scheme implies.
func dialectOf(dsn, flag string) (sourceflow.Dialect, error) {
	switch flag {
	case "":
		if _, ok := postgresURL(dsn); ok {
			return sourceflow.Postgres, nil
		}
		return sourceflow.MySQL, nil
	case string(sourceflow.Postgres), string(sourceflow.MySQL):
		return sourceflow.Dialect(flag), nil
	}
	return "", fmt.Errorf("--dialect %q: want %s or %s", flag, sourceflow.Postgres, sourceflow.MySQL)
}

// postgresURL reports whether dsn is a PostgreSQL URL: its scheme is
// postgres or postgresql, in any case, as URL schemes are. It returns dsn
// with the scheme in lower case, the only form pgx reads as a URL (it
// reads any other as key=value settings).
func postgresURL(dsn string) (string, bool) {
	scheme, rest, found := strings.Cut(dsn, "://")
	if !found || !strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql") {
		return dsn, false
	}
	return strings.ToLower(scheme) + "://" + rest, true
}

// parseDSN parses dsn as d's driver reads it. Its errors never quote the
// DSN, which holds the password.
func parseDSN(dsn string, d sourceflow.Dialect) (dsnTarget, error) {
	t := dsnTarget{dsn: dsn, dialect: d}
	if d == sourceflow.MySQL {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return t, fmt.Errorf("the DSN is not a MySQL DSN (user:password@tcp(host:3306)/db; "+
				"a PostgreSQL one starts with postgres:// or needs --dialect postgres): %s", parseDetail(dsn, err))
		}
		t.host, t.password = cfg.Addr, cfg.Passwd
		t.redacted = dsn
		if cfg.Passwd != "" {
			t.redacted = strings.Replace(dsn, ":"+cfg.Passwd+"@", ":"+redactedPassword+"@", 1)
		}
		return t, nil
	}
	if !strings.Contains(dsn, "://") {
		return parseKeyValueDSN(t)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		// Every url error quotes part of the DSN: the URL, or the piece it
		// could not read, which is part of the password when the password
		// holds an unescaped '/', '?' or '#' (the host then starts inside
		// it: `invalid port ":secret" after host`). None is shown.
		return t, errors.New("the DSN is not a PostgreSQL URL (postgres://user:password@host:5432/db): " +
			"check its form, and percent-encode any of @ : / ? # % in the user name or the password")
	}
	t.host = u.Host
	if p, ok := u.User.Password(); ok {
		t.password = p
	}
	if q := u.Query(); q.Has("password") {
		t.password = q.Get("password")
		q.Set("password", redactedPassword)
		u.RawQuery = q.Encode()
	}
	t.redacted = u.Redacted()
	return t, nil
}

// quotedPiece matches what a parser's error message quotes: 'x' or "x".
var quotedPiece = regexp.MustCompile(`'[^']*'|"(?:[^"\\]|\\.)*"`)

// parseDetail returns the text of err, the error of parsing dsn, unless it
// quotes a piece of dsn or holds the value of a password=… in it: a parser
// quotes what it could not read, which can be where the password is (a
// PostgreSQL key=value DSN read as a MySQL one is quoted up to its last
// '/': "default addr for network 'host=db password=… sslrootcert=/etc'").
func parseDetail(dsn string, err error) string {
	text := err.Error()
	withheld := "its parser's message is not shown: it quotes part of the DSN"
	for _, q := range quotedPiece.FindAllString(text, -1) {
		piece := q[1 : len(q)-1]
		if u, uerr := strconv.Unquote(q); uerr == nil {
			piece = u
		}
		if piece != "" && strings.Contains(dsn, piece) {
			return withheld
		}
	}
	if m := kvPassword.FindStringSubmatch(dsn); m != nil && strings.Contains(text, strings.Trim(m[2], "'")) {
		return withheld
	}
	return text
}

// The settings of a key=value DSN: kvPassword matches a password=…
// (sslpassword=… too), its value quoted or not, as pgx reads it: a
// backslash escapes the next character (a space in an unquoted value, a
// quote in a quoted one).
var (
	kvPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+)`)
	kvHost     = regexp.MustCompile(`host\s*=\s*(\S+)`)
	kvPort     = regexp.MustCompile(`port\s*=\s*(\S+)`)
)

// withoutFiles, added at the end of a key=value DSN, unsets the files pgx
// reads when it parses the DSN (see sqldb.PgxUnreadableFile): the TLS CA
// certificate, the client certificate and its key. A later setting
// overrides an earlier one, and the environment's.
const withoutFiles = "sslrootcert='' sslcert='' sslkey=''"

// dsnWithoutFiles returns the key=value DSN dsn, which pgx parsed up to
// its files, with withoutFiles added. A backslash ending dsn escapes
// nothing, and pgx drops it; left there, it would escape the space before
// withoutFiles, whose first setting would then end the last value (a
// password) instead of unsetting its file.
func dsnWithoutFiles(dsn string) string {
	if backslashes := len(dsn) - len(strings.TrimRight(dsn, `\`)); backslashes%2 == 1 {
		dsn = dsn[:len(dsn)-1]
	}
	return dsn + " " + withoutFiles
}

// parseKeyValueDSN checks that a PostgreSQL DSN in key=value form is one
// pgx can use, then reads its host and its password (the one pgx connects
// with). A DSN of another form (a MySQL one given --dialect postgres) is
// refused before any connection: its password is in no password=…
// setting, so no message could show the DSN without it.
func parseKeyValueDSN(t dsnTarget) (dsnTarget, error) {
	cfg, err := pgconn.ParseConfig(t.dsn)
	if sqldb.PgxUnreadableFile(err) {
		// A file the DSN names that cannot be read is the connection's
		// to report, as the services' stores leave it: the rest of the
		// DSN is checked, and its password read, without the files.
		cfg, err = pgconn.ParseConfig(dsnWithoutFiles(t.dsn))
	}
	if err != nil {
		return t, fmt.Errorf("pgx cannot use the DSN (a PostgreSQL one is a URL, postgres://user:password@host:5432/db, "+
			"or key=value settings, host=db user=ops dbname=shop): %s", parseDetail(t.dsn, errors.New(sqldb.PgxParseProblem(err))))
	}
	t.password = cfg.Password // as pgx reads it, escapes undone
	t.redacted = kvPassword.ReplaceAllString(t.dsn, "${1}"+redactedPassword)
	if m := kvHost.FindStringSubmatch(t.dsn); m != nil {
		t.host = m[1]
	}
	if m := kvPort.FindStringSubmatch(t.dsn); m != nil && t.host != "" {
		t.host += ":" + m[1]
	}
	return t, nil
}

// where names the database in messages by its dialect and host.
func (t dsnTarget) where() string {
	host := t.host
	if host == "" {
		host = "the driver's default host"
	}
	return fmt.Sprintf("%s at %s", t.dialect, host)
}

// minBarePassword is the shortest password scrub replaces wherever it
// stands: a shorter one matches ordinary words ("p" in "lookup"), and
// replacing it there would show what it is.
const minBarePassword = 6

// scrub returns err, or an error of the same text with the password
// replaced where the text holds it: the DSN itself, the password as a DSN
// writes it (":password@", "password=password"), and, when it is not
// shorter than minBarePassword, anywhere.
func (t dsnTarget) scrub(err error) error {
	if err == nil || t.password == "" {
		return err
	}
	text := strings.ReplaceAll(err.Error(), t.dsn, t.redacted)
	for _, written := range []string{":" + t.password + "@", "password=" + t.password} {
		text = strings.ReplaceAll(text, written, strings.Replace(written, t.password, redactedPassword, 1))
	}
	if len(t.password) >= minBarePassword {
		text = strings.ReplaceAll(text, t.password, redactedPassword)
	}
	if text == err.Error() {
		return err
	}
	return errors.New(text)
}
