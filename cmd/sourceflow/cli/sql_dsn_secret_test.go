package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// dsnSecret is the secret of the DSNs of these tests.
const dsnSecret = "Hunter2Secret"

// Each secret a DSN can hold, in each form of DSN, is never shown by any
// sql command: the password of a URL's user information or of a MySQL DSN,
// and password and sslpassword, whose value pgx reads from a URL's query
// (its key percent-encoded or not) or from key=value settings.
func TestSQL_NoCommandShowsASecretOfTheDSN(t *testing.T) {
	dsns := []struct{ name, dsn, dialect string }{
		{"URL user information", "postgres://u:" + dsnSecret + "@127.0.0.1:1/db?sslmode=disable", ""},
		{"URL password", "postgres://u@127.0.0.1:1/db?password=" + dsnSecret + "&sslmode=disable", ""},
		{"URL sslpassword", "postgres://u@127.0.0.1:1/db?sslpassword=" + dsnSecret + "&sslmode=disable", ""},
		{"URL percent-encoded sslpassword", "postgresql://u@127.0.0.1:1/db?sslmode=disable&sslpass%77ord=" + dsnSecret, ""},
		{"key=value password", "host=127.0.0.1 port=1 user=u password=" + dsnSecret + " sslmode=disable", "postgres"},
		{"key=value sslpassword", "host=127.0.0.1 port=1 user=u sslpassword='" + dsnSecret + "' sslmode=disable", "postgres"},
		{"MySQL password", "u:" + dsnSecret + "@tcp(127.0.0.1:1)/db", ""},
		{"MySQL sslpassword parameter", "u@tcp(127.0.0.1:1)/db?sslpassword=" + dsnSecret, ""},
		{"URL Password, in another case", "postgres://u@127.0.0.1:1/db?Password=" + dsnSecret + "&sslmode=disable", ""},
		{"key=value PASSWORD, in another case", "host=127.0.0.1 port=1 user=u PASSWORD=" + dsnSecret + " sslmode=disable", "postgres"},
	}
	commands := [][]string{
		{"depth", "--service", "a", "--destination", "b"},
		{"depth", "--outbox", "o"},
		{"dead-letters", "--destination", "d"},
		{"groups", "--destination", "d"},
		{"redrive", "--destination", "d", "--yes"},
		{"prune", "--outbox", "o"},
	}
	for _, d := range dsns {
		for _, command := range commands {
			t.Run(d.name+"/"+command[0], func(t *testing.T) {
				args := append([]string{"sql"}, command...)
				args = append(args, "--timeout", "20s", "--dsn", d.dsn)
				if d.dialect != "" {
					args = append(args, "--dialect", d.dialect)
				}
				out, errOut, code := newFakeAWS().run(t, args...)
				assert.Equal(t, cli.ExitAWS, code, errOut)
				assert.Contains(t, errOut, "check that the database runs")
				assert.NotContains(t, out+errOut, dsnSecret)
			})
		}
	}
}

// Each secret of a DSN is shown as xxxxx, the rest of the DSN as written.
func TestSQL_DSNIsShownWithEachSecretHidden(t *testing.T) {
	for _, tt := range []struct{ dsn, redacted, where string }{
		{"postgres://u@db:5432/x?sslpassword=" + dsnSecret + "&sslmode=require",
			"postgres://u@db:5432/x?sslpassword=xxxxx&sslmode=require", "postgres at db:5432"},
		{"postgres://u:" + dsnSecret + "@db/x?sslmode=require&pass%77ord=" + dsnSecret + "&application_name=a",
			"postgres://u:xxxxx@db/x?sslmode=require&pass%77ord=xxxxx&application_name=a", "postgres at db"},
		{"postgres://u:" + dsnSecret + "@h1:5432,[::1]:5433/x?password=" + dsnSecret,
			"postgres://u:xxxxx@h1:5432,[::1]:5433/x?password=xxxxx", "postgres at h1:5432,[::1]:5433"},
		// pgx reads the user information up to the '@': a '#' or a '?'
		// before it is the password's.
		{"postgres://u:" + dsnSecret + "#1?2@db:5432/x", "postgres://u:xxxxx@db:5432/x", "postgres at db:5432"},
		{"u:" + dsnSecret + "@tcp(db:3306)/x?sslpassword=" + dsnSecret + "&parseTime=true",
			"u:xxxxx@tcp(db:3306)/x?sslpassword=xxxxx&parseTime=true", "mysql at db:3306"},
	} {
		t.Run(tt.redacted, func(t *testing.T) {
			redacted, where, err := cli.ParseDSN(tt.dsn, "")
			require.NoError(t, err)
			assert.Equal(t, tt.redacted, redacted)
			assert.Equal(t, tt.where, where)
		})
	}
}

// A driver's message holding the sslpassword of the DSN is shown without
// it, as one holding the password is.
func TestSQL_DriverMessageIsCleanedOfTheSSLPassword(t *testing.T) {
	dsn := "postgres://u@db/x?sslpassword=" + dsnSecret
	assert.Equal(t, "cannot decrypt the key with xxxxx", cli.Scrub(dsn, "cannot decrypt the key with "+dsnSecret))
	dsn = "host=db sslpassword=" + dsnSecret
	assert.Equal(t, "cannot decrypt the key with xxxxx", cli.ScrubAs(dsn, "postgres", "cannot decrypt the key with "+dsnSecret))
}

// A DSN pgx or go-sql-driver/mysql cannot parse, in any form, is a usage
// error found before any connection (exit 2), naming what is wrong without
// the secret: a URL is parsed as pgx parses it, not only as a URL.
func TestSQL_UnparsableDSNIsAUsageError(t *testing.T) {
	for _, tt := range []struct{ name, dsn, dialect, problem string }{
		{"URL port out of range", "postgres://postgres:" + dsnSecret + "@127.0.0.1:99999999/sourceflow", "", "invalid port"},
		{"URL without a password", "postgres://postgres@127.0.0.1:99999999/sourceflow", "", "invalid port"},
		{"URL bad sslmode", "postgres://u:" + dsnSecret + "@127.0.0.1:1/db?sslmode=bogus", "", "sslmode is invalid"},
		{"URL bad connect_timeout", "postgres://u@127.0.0.1:1/db?password=" + dsnSecret + "&connect_timeout=x", "", "invalid connect_timeout"},
		{"URL bad sslmode, sslpassword", "postgres://u@127.0.0.1:1/db?sslpassword=" + dsnSecret + "&sslmode=bogus", "", "sslmode is invalid"},
		{"key=value bad connect_timeout", "host=127.0.0.1 port=1 password=" + dsnSecret + " connect_timeout=x", "postgres", "invalid connect_timeout"},
		{"MySQL bad timeout", "u:" + dsnSecret + "@tcp(127.0.0.1:1)/db?timeout=bogus", "", "invalid duration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"sql", "depth", "--service", "a", "--destination", "b", "--timeout", "20s", "--dsn", tt.dsn}
			if tt.dialect != "" {
				args = append(args, "--dialect", tt.dialect)
			}
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.problem)
			assert.NotContains(t, errOut, "check that the database runs")
			assert.NotContains(t, out+errOut, dsnSecret)
		})
	}
}
