package sqldb

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// withheldDetail stands for a driver's message that shows part of a DSN.
const withheldDetail = "the driver's message is not shown: it quotes part of the DSN"

// checkDSN reports a DSN that d's driver cannot read, before any
// connection is tried. The error names the dialect and what the driver
// could not read, never the DSN nor a part of it that could hold a
// password. A SQLite DSN is a file name: any is accepted, and so is the
// name of a pgx configuration registered with stdlib.RegisterConnConfig,
// which the pgx driver connects with though pgx.ParseConfig cannot read it.
// A file the DSN names that pgx cannot read (a CA certificate, a passfile)
// is left to the connection: a volume mounted later may bring it, so it is
// no configuration error no retry cures.
func checkDSN(d Dialect, dsn string) error {
	switch d {
	case Postgres:
		if registeredConnConfig.MatchString(dsn) {
			return nil
		}
		if _, err := pgx.ParseConfig(dsn); err != nil && !PgxUnreadableFile(err) {
			return fmt.Errorf("Config.DSN: pgx cannot read it as a %s DSN (postgres://user:password@host:5432/db or "+
				"key=value settings): %s", d, safeDetail(dsn, PgxParseProblem(err)))
		}
	case MySQL:
		if _, err := mysql.ParseDSN(dsn); err != nil {
			return fmt.Errorf("Config.DSN: go-sql-driver/mysql cannot read it as a %s DSN (user:password@tcp(host:3306)/db): %s",
				d, safeDetail(dsn, err.Error()))
		}
	}
	return nil
}

// PgxUnreadableFile reports whether err, from pgx's parse of a DSN
// (pgx.ParseConfig, pgconn.ParseConfig), is a file the DSN names that
// cannot be read: a TLS CA certificate, a client certificate or its key.
// That is the connection's to report, not a configuration error: the file
// may come later (a secret volume mounted late).
func PgxUnreadableFile(err error) bool {
	return errors.As(err, new(*fs.PathError))
}

// PgxParseProblem is what pgx's parse of a DSN (pgx.ParseConfig,
// pgconn.ParseConfig) could not read, without the DSN it quotes (with the
// passwords it recognises masked) before it.
func PgxParseProblem(err error) string {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return withheldDetail
	}
	blank := *pe
	blank.ConnString = ""
	return strings.TrimPrefix(blank.Error(), "cannot parse ``: ")
}

var (
	// registeredConnConfig matches the names stdlib.RegisterConnConfig
	// gives the configurations it registers.
	registeredConnConfig = regexp.MustCompile(`^registeredConnConfig[0-9]+$`)
	// quotedPiece matches what a parser's message quotes: 'x', "x" or `x`.
	quotedPiece = regexp.MustCompile("'[^']*'|\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`")
	// passwordSetting matches a password=… setting of a key=value DSN or
	// of a URL's query.
	passwordSetting = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)`)
)

// safeDetail returns text, a driver's message about dsn, with every
// quoted piece holding a letter or a digit replaced by "…" (a parser
// quotes what it could not read, which can be in the password), or
// withheldDetail when it still holds what could be the DSN's password.
func safeDetail(dsn, text string) string {
	text = quotedPiece.ReplaceAllStringFunc(text, func(q string) string {
		if strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			return q
		}
		return q[:1] + "…" + q[len(q)-1:]
	})
	for _, pw := range passwordCandidates(dsn) {
		if pw != "" && strings.Contains(text, pw) {
			return withheldDetail
		}
	}
	return text
}

// passwordCandidates returns what could be the password of dsn, even one
// no driver can read: what follows the first ':' of the user information
// (before the last '@', after any "scheme://"), and each password=… value.
func passwordCandidates(dsn string) []string {
	var out []string
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		info := dsn[:at]
		if _, rest, ok := strings.Cut(info, "://"); ok {
			info = rest
		}
		if _, pw, ok := strings.Cut(info, ":"); ok {
			out = append(out, pw)
		}
	}
	for _, m := range passwordSetting.FindAllStringSubmatch(dsn, -1) {
		out = append(out, strings.Trim(m[1], "'"))
	}
	return out
}
