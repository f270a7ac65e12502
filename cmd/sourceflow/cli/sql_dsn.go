package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

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
	// checkTimeout is --check-timeout: the bound on the connection check.
	checkTimeout time.Duration
}

// addConnFlags adds --dsn, --dialect and --check-timeout.
func addConnFlags(cmd *cobra.Command, f *connFlags) {
	addCheckTimeoutFlag(cmd, &f.checkTimeout, "how long the database has to answer the connection check before "+
		"the command fails (a database that is down or frozen); the statements after it are bounded by --timeout")
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
	host     string   // host and port, as the DSN gives them
	redacted string   // the DSN with its secrets replaced
	secrets  []string // the DSN's secrets (isSecretKey), as written and as read
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
	if d == sourceflow.Postgres {
		return parsePostgresDSN(t)
	}
	cfg, err := mysql.ParseDSN(dsn)
	t.redacted, t.secrets = redactMySQL(dsn)
	if err != nil {
		return t, fmt.Errorf("the DSN is not a MySQL DSN (user:password@tcp(host:3306)/db; "+
			"a PostgreSQL one starts with postgres:// or needs --dialect postgres): %s", parseDetail(dsn, err.Error()))
	}
	t.host = cfg.Addr
	t.secrets = append(t.secrets, cfg.Passwd)
	return t, nil
}

// quotedPiece matches what a parser's error message quotes: 'x' or "x".
var quotedPiece = regexp.MustCompile(`'[^']*'|"(?:[^"\\]|\\.)*"`)

// parseDetail returns text, a parser's message about dsn, with each piece
// of dsn it quotes that holds a letter or a digit shown as "…" (a parser
// quotes what it could not read, which can be in the password: a
// PostgreSQL key=value DSN read as a MySQL one is quoted up to its last
// '/'), or a sentence saying it is not shown when it still holds what
// could be a secret of dsn, read as any of the forms of DSN.
func parseDetail(dsn, text string) string {
	text = quotedPiece.ReplaceAllStringFunc(text, func(q string) string {
		piece := q[1 : len(q)-1]
		if u, err := strconv.Unquote(q); err == nil {
			piece = u
		}
		if !strings.ContainsFunc(piece, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) ||
			!strings.Contains(dsn, piece) {
			return q
		}
		return q[:1] + "…" + q[len(q)-1:]
	})
	_, _, inURL := redactURL(dsn)
	_, inKeyValue := redactKeyValue(dsn)
	_, inMySQL := redactMySQL(dsn)
	for _, s := range slices.Concat(inURL, inKeyValue, inMySQL) {
		if s != "" && strings.Contains(text, s) {
			return "its parser's message is not shown: it quotes part of the DSN"
		}
	}
	return text
}

// The host and the port of a key=value DSN.
var (
	kvHost = regexp.MustCompile(`host\s*=\s*(\S+)`)
	kvPort = regexp.MustCompile(`port\s*=\s*(\S+)`)
)

// kvWithoutFiles and urlWithoutFiles, added at the end of a key=value DSN
// or of a URL's query, unset the files pgx reads when it parses the DSN
// (see sqldb.PgxUnreadableFile): the TLS CA certificate, the client
// certificate and its key. A later setting overrides an earlier one, and
// the environment's.
const (
	kvWithoutFiles  = "sslrootcert='' sslcert='' sslkey=''"
	urlWithoutFiles = "sslrootcert=&sslcert=&sslkey="
)

// dsnWithoutFiles returns the PostgreSQL DSN dsn, which pgx parsed up to
// its files, with urlWithoutFiles added to the query of a URL, or
// kvWithoutFiles to key=value settings. A backslash ending those escapes
// nothing, and pgx drops it; left there, it would escape the space before
// kvWithoutFiles, whose first setting would then end the last value (a
// password) instead of unsetting its file.
func dsnWithoutFiles(dsn string, isURL bool) string {
	if isURL {
		_, rest, _ := strings.Cut(dsn, "://")
		sep := "?"
		if strings.Contains(rest[urlHostsEnd(rest):], "?") {
			sep = "&"
		}
		return dsn + sep + urlWithoutFiles
	}
	if backslashes := len(dsn) - len(strings.TrimRight(dsn, `\`)); backslashes%2 == 1 {
		dsn = dsn[:len(dsn)-1]
	}
	return dsn + " " + kvWithoutFiles
}

// parsePostgresDSN checks that a PostgreSQL DSN, a URL or key=value
// settings, is one pgx can use, then reads its host and its secrets (the
// password pgx connects with among them). A DSN of another form (a MySQL
// one given --dialect postgres) is refused before any connection: its
// password is in no password=… setting, so no message could show the DSN
// without it.
func parsePostgresDSN(t dsnTarget) (dsnTarget, error) {
	_, isURL := postgresURL(t.dsn)
	if isURL {
		t.redacted, t.host, t.secrets = redactURL(t.dsn)
	} else {
		t.redacted, t.secrets = redactKeyValue(t.dsn)
	}
	cfg, err := pgconn.ParseConfig(t.dsn)
	if sqldb.PgxUnreadableFile(err) {
		// A file the DSN names that cannot be read is the connection's
		// to report, as the services' stores leave it: the rest of the
		// DSN is checked, and its password read, without the files.
		cfg, err = pgconn.ParseConfig(dsnWithoutFiles(t.dsn, isURL))
	}
	if err != nil {
		return t, postgresParseError(t, isURL, err)
	}
	t.secrets = append(t.secrets, cfg.Password) // as pgx reads it, escapes undone
	if isURL {
		return t, nil
	}
	if m := kvHost.FindStringSubmatch(t.dsn); m != nil {
		t.host = m[1]
	}
	if m := kvPort.FindStringSubmatch(t.dsn); m != nil && t.host != "" {
		t.host += ":" + m[1]
	}
	return t, nil
}

// postgresParseError is the usage error of t's DSN, which pgx could not
// parse (err): what pgx could not read, without the DSN.
func postgresParseError(t dsnTarget, isURL bool, err error) error {
	problem := parseDetail(t.dsn, sqldb.PgxParseProblem(err))
	if isURL {
		return fmt.Errorf("the DSN is not a PostgreSQL URL pgx can use (postgres://user:password@host:5432/db): %s; "+
			"check its form, and percent-encode any of @ : / ? # %% in the user name or the password", problem)
	}
	return fmt.Errorf("pgx cannot use the DSN (a PostgreSQL one is a URL, postgres://user:password@host:5432/db, "+
		"or key=value settings, host=db user=ops dbname=shop): %s", problem)
}

// where names the database in messages by its dialect and host.
func (t dsnTarget) where() string {
	host := t.host
	if host == "" {
		host = "the driver's default host"
	}
	return fmt.Sprintf("%s at %s", t.dialect, host)
}

// minBarePassword is the shortest secret scrub replaces wherever it
// stands: a shorter one matches ordinary words ("p" in "lookup"), and
// replacing it there would show what it is.
const minBarePassword = 6

// scrub returns err, or an error of the same text with the DSN's secrets
// replaced where the text holds them: the DSN itself, a secret as a DSN
// writes it (":password@", "password=password"), and, when it is not
// shorter than minBarePassword, anywhere.
func (t dsnTarget) scrub(err error) error {
	if err == nil {
		return err
	}
	text := strings.ReplaceAll(err.Error(), t.dsn, t.redacted)
	for _, secret := range t.secrets {
		if secret == "" {
			continue
		}
		for _, written := range []string{":" + secret + "@", "password=" + secret} {
			text = strings.ReplaceAll(text, written, strings.Replace(written, secret, redactedPassword, 1))
		}
		if len(secret) >= minBarePassword {
			text = strings.ReplaceAll(text, secret, redactedPassword)
		}
	}
	if text == err.Error() {
		return err
	}
	return errors.New(text)
}
