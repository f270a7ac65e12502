package cli_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A DSN naming a file pgx cannot read (a TLS CA certificate, a client
// key) is no usage error: as the services' stores do, the command leaves
// it to the connection, which fails (exit 3) naming the file's problem,
// never the password. Another problem of such a DSN is still a usage
// error, found before any connection.
func TestSQL_UnreadableFileOfTheDSNIsAConnectionFailure(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ca.pem")
	kv := "host=127.0.0.1 port=1 user=u password=secret dbname=x "
	for _, tt := range []struct {
		name, dsn, dialect string
		code               int
		stderr             string
	}{
		{"key=value CA", kv + "sslmode=verify-full sslrootcert=" + missing, "postgres", cli.ExitAWS, missing + ": no such file or directory"},
		{"key=value client key", kv + "sslmode=require sslcert=" + missing + " sslkey=" + missing, "postgres", cli.ExitAWS, missing + ": no such file or directory"},
		{"key=value quoted password", "host=127.0.0.1 port=1 password='secret pw' sslrootcert=" + missing, "postgres", cli.ExitAWS, missing + ": no such file or directory"},
		{"key=value password ending in a backslash", "host=127.0.0.1 port=1 user=u sslmode=verify-full sslrootcert=" + missing + ` password=secret\`,
			"postgres", cli.ExitAWS, missing + ": no such file or directory"},
		{"URL CA", "postgres://u:secret@127.0.0.1:1/x?sslmode=verify-full&sslrootcert=" + missing, "", cli.ExitAWS, missing + ": no such file or directory"},
		{"key=value CA and a bad sslmode", kv + "sslmode=bogus sslrootcert=" + missing, "postgres", cli.ExitUsage, "sslmode is invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"sql", "dead-letters", "--outbox", "o", "--timeout", "20s", "--dsn", tt.dsn}
			if tt.dialect != "" {
				args = append(args, "--dialect", tt.dialect)
			}
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, tt.code, code, errOut)
			assert.Contains(t, errOut, tt.stderr)
			if tt.code == cli.ExitAWS {
				assert.Contains(t, errOut, "sql dead-letters: connect (postgres at 127.0.0.1:1)")
				assert.Contains(t, errOut, "the DSN names a file that cannot be read here")
			}
			assert.NotContains(t, out+errOut, "secret")
		})
	}
}

// The connection's error for such a DSN quotes none of it: pgx masks only
// the password settings it recognises in the DSN it quotes, and shows the
// rest of a password holding an escaped quote or an escaped space.
func TestSQL_UnreadableFileOfTheDSNShowsNoPartOfAnEscapedPassword(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ca.pem")
	for _, tt := range []struct{ name, password, rest string }{
		{"quoted, with an escaped quote", `'first\'x hiddentail'`, "hiddentail"},
		{"unquoted, with an escaped space", `first\ hiddentail`, "hiddentail"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn := "host=127.0.0.1 port=1 user=u password=" + tt.password + " sslmode=verify-full sslrootcert=" + missing
			out, errOut, code := newFakeAWS().run(t, "sql", "dead-letters", "--outbox", "o", "--timeout", "20s",
				"--dialect", "postgres", "--dsn", dsn)
			assert.Equal(t, cli.ExitAWS, code, errOut)
			assert.Contains(t, errOut, missing+": no such file or directory")
			assert.NotContains(t, out+errOut, tt.rest)
			assert.NotContains(t, out+errOut, "first")
		})
	}
}
