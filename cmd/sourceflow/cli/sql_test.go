package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// sqlCommands are the sql commands with arguments that name what to work
// on.
var sqlCommands = [][]string{
	{"sql", "depth", "--service", "s", "--destination", "d"},
	{"sql", "dead-letters", "--destination", "d"},
	{"sql", "redrive", "--destination", "d"},
	{"sql", "prune", "--destination", "d"},
}

func TestSQL_NoDSNExitsTwoNamingTheVariableAndTheFlag(t *testing.T) {
	t.Setenv("SOURCEFLOW_SQL_DSN", "")
	for _, args := range sqlCommands {
		t.Run(args[1], func(t *testing.T) {
			_, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, "no database DSN: set SOURCEFLOW_SQL_DSN")
			assert.Contains(t, errOut, "or pass --dsn")
		})
	}
}

func TestSQL_UsageErrorsExitTwoBeforeAnyConnection(t *testing.T) {
	// A DSN that would be refused: a usage error must be found before it
	// is dialled (a connection failure exits 3).
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"bad dialect", []string{"sql", "depth", "--service", "s", "--destination", "d", "--dialect", "oracle"}, `--dialect "oracle": want postgres or mysql`},
		{"neither target", []string{"sql", "dead-letters"}, "--destination NAME (an sqlbus destination) or --outbox TOPIC"},
		{"both targets", []string{"sql", "dead-letters", "--destination", "d", "--outbox", "o"}, "name one destination or one outbox, not 2"},
		{"two destinations", []string{"sql", "redrive", "--destination", "d", "--destination", "e"}, "name one destination or one outbox, not 2"},
		{"redrive neither", []string{"sql", "redrive", "--yes"}, "--destination NAME (an sqlbus destination) or --outbox TOPIC"},
		{"prune both", []string{"sql", "prune", "--destination", "d", "--outbox", "o"}, "give --destination or --outbox, not both"},
		{"prune neither", []string{"sql", "prune"}, "--destination NAME (an sqlbus destination, repeatable) or --outbox TOPIC"},
		{"depth nothing", []string{"sql", "depth", "--service", "s"}, "name what to measure"},
		{"groups without destination", []string{"sql", "groups", "--remove", "s", "--yes"}, "name the destination: --destination NAME"},
		{"depth without service", []string{"sql", "depth", "--destination", "d"}, "--destination needs --service"},
		{"bad output", []string{"sql", "depth", "--outbox", "o", "-o", "yaml"}, `--output "yaml": want table or json`},
		{"letters bad output", []string{"sql", "dead-letters", "--outbox", "o", "-o", "yaml"}, `--output "yaml": want table or json`},
		{"letters max 0", []string{"sql", "dead-letters", "--outbox", "o", "--max", "0"}, "--max 0: want 1..1000"},
		{"letters max too large", []string{"sql", "dead-letters", "--outbox", "o", "--max", "1001"}, "--max 1001: want 1..1000"},
		{"unknown sql command", []string{"sql", "drian"}, `unknown command "drian" for "sourceflow sql"`},
		{"argument", []string{"sql", "prune", "--destination", "d", "now"}, `unknown command "now"`},
		{"not a mysql DSN", []string{"sql", "prune", "--destination", "d", "--dsn", "localhost:3306"}, "the DSN is not a MySQL DSN"},
		{"not a URL", []string{"sql", "prune", "--destination", "d", "--dsn", "postgres://u:secret@[::1/x"}, "the DSN is not a PostgreSQL URL"},
		// An unescaped '/' in the password ends the URL's authority inside
		// it, as pgx reads it: the rest is read as the host and its port.
		{"password with /", []string{"sql", "prune", "--destination", "d", "--dsn", "postgres://u:secret/1@db:5432/x"}, "percent-encode"},
		// A PostgreSQL key=value DSN without --dialect postgres is read as
		// a MySQL one, whose parser quotes all before its last '/'.
		{"key=value read as mysql", []string{"sql", "prune", "--destination", "d", "--dsn",
			"host=db user=u password=secret dbname=x sslrootcert=/etc/ca.pem"}, "the DSN is not a MySQL DSN"},
		{"password with bad escape", []string{"sql", "prune", "--destination", "d", "--dsn", "postgres://u:secret%zz@db:5432/x"}, "percent-encode"},
		// A MySQL DSN given --dialect postgres is no key=value DSN: pgx
		// cannot read it, and its password is in no password=… setting.
		{"mysql DSN read as postgres", []string{"sql", "prune", "--destination", "d", "--dialect", "postgres", "--dsn",
			"u:secret@tcp(db:3306)/x"}, "pgx cannot use the DSN"},
		{"key=value without =", []string{"sql", "prune", "--destination", "d", "--dialect", "postgres", "--dsn",
			"host=db secret"}, "pgx cannot use the DSN"},
		// pgx quotes what it could not read: shown as "…".
		{"key=value quoting the password", []string{"sql", "prune", "--destination", "d", "--dialect", "postgres", "--dsn",
			"host=db secret x=1"}, `missing "=" after "…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := newFakeAWS().run(t, tt.args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.stderr)
			assert.NotContains(t, out+errOut, "secret")
		})
	}
}

func TestSQL_DSNsAreShownWithoutTheirPassword(t *testing.T) {
	tests := []struct {
		dsn, dialect, redacted, where string
	}{
		{"postgres://ops:s3cr%40t@db.internal:5432/shop?sslmode=require", "",
			"postgres://ops:xxxxx@db.internal:5432/shop?sslmode=require", "postgres at db.internal:5432"},
		{"postgresql://ops@db.internal/shop?password=s3cr%40t", "",
			"postgresql://ops@db.internal/shop?password=xxxxx", "postgres at db.internal"},
		{"host=db.internal port=6432 user=ops password='s3cr@t x' dbname=shop", "postgres",
			"host=db.internal port=6432 user=ops password=xxxxx dbname=shop", "postgres at db.internal:6432"},
		{"ops:s3cr@t@tcp(db.internal:3306)/shop?parseTime=true", "",
			"ops:xxxxx@tcp(db.internal:3306)/shop?parseTime=true", "mysql at db.internal:3306"},
		{"ops@tcp(db.internal)/shop", "", "ops@tcp(db.internal)/shop", "mysql at db.internal:3306"},
	}
	for _, tt := range tests {
		t.Run(tt.redacted, func(t *testing.T) {
			redacted, where, err := cli.ParseDSN(tt.dsn, tt.dialect)
			require.NoError(t, err)
			assert.Equal(t, tt.redacted, redacted)
			assert.Equal(t, tt.where, where)
		})
	}
}

// An unreachable database is a failed database call (exit 3): the message
// names the host and the DSN without its password.
func TestSQL_UnreachableDatabaseExitsThreeWithoutThePassword(t *testing.T) {
	for _, tt := range []struct{ dsn, dialect, host string }{
		{"postgres://u:secret@127.0.0.1:1/x", "", "postgres at 127.0.0.1:1"},
		{"host=127.0.0.1 port=1 user=u password=secret dbname=x", "postgres", "postgres at 127.0.0.1:1"},
		{"u:secret@tcp(127.0.0.1:1)/x", "", "mysql at 127.0.0.1:1"},
	} {
		t.Run(tt.host, func(t *testing.T) {
			args := []string{"sql", "dead-letters", "--outbox", "o", "--timeout", "20s", "--dsn", tt.dsn}
			if tt.dialect != "" {
				args = append(args, "--dialect", tt.dialect)
			}
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitAWS, code, errOut)
			assert.Contains(t, errOut, "sql dead-letters: connect ("+tt.host+")")
			assert.Contains(t, errOut, "xxxxx")
			assert.NotContains(t, out+errOut, "secret")
		})
	}
}

func TestSQL_EveryCommandHasHelpWithAnExample(t *testing.T) {
	for _, name := range []string{"sql depth", "sql dead-letters", "sql redrive", "sql prune"} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := newFakeAWS().run(t, append(strings.Fields(name), "-h")...)
			assert.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "Examples:\n  sourceflow "+name+" --")
			assert.Contains(t, out, "--dsn string")
			assert.Contains(t, out, "SOURCEFLOW_SQL_DSN")
			assert.NotRegexp(t, `(?m)^\s+(-\w, )?--[a-z-]+ \S+ \S+\s{2,}`, out, "no backquoted words taken for a value name")
		})
	}
	for _, args := range [][]string{{"sql"}, {"sql", "-h"}} {
		out, errOut, code := newFakeAWS().run(t, args...)
		assert.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "SOURCEFLOW_SQL_DSN")
		assert.Contains(t, out, "dead-letters")
	}
}

func TestSQL_ErrorsAreShownWithoutThePassword(t *testing.T) {
	assert.Equal(t, "auth failed for ops with xxxxx", cli.Scrub("postgres://ops:s3cret@db/x", "auth failed for ops with s3cret"))
	assert.Equal(t, "dial tcp: refused", cli.Scrub("ops:s3cret@tcp(db:3306)/x", "dial tcp: refused"))
}

// A driver's message is cleaned of the password where a DSN writes it,
// and of a long password anywhere; a short one is not replaced inside
// ordinary words, which would show what it is.
func TestSQLScrubHidesThePasswordWithoutShowingItByItsPlace(t *testing.T) {
	short := "postgres://u:p@h1:5432/db"
	assert.Equal(t, "lookup h1: no such host", cli.Scrub(short, "lookup h1: no such host"))
	assert.Equal(t, "connect postgres://u:xxxxx@h1:5432/db: refused", cli.Scrub(short, "connect postgres://u:p@h1:5432/db: refused"))
	assert.Equal(t, "auth failed for xxxxx", cli.Scrub("postgres://u:hunter22@h1/db", "auth failed for hunter22"))
}
