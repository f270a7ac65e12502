package cli_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// Every sql command bounds its connection check by --check-timeout: on a
// database that accepts connections and never answers it fails then (exit
// 3), saying so and naming the database, not silently at the end of
// --timeout. Only a cut by the bound names --check-timeout (300ms) in its
// message, so no clock is read: a loaded machine cannot fail the test by
// being slow.
func TestSQL_ADatabaseThatNeverAnswersFailsAtTheCheckTimeout(t *testing.T) {
	addr := sqldbtest.SilentServer(t)
	for name, dsn := range map[string]string{"postgres": "postgres://u:secret@" + addr + "/x", "mysql": "u:secret@tcp(" + addr + ")/x"} {
		for _, args := range [][]string{
			{"depth", "--service", "payments", "--destination", "payments.fifo"},
			{"dead-letters", "--destination", "payments.fifo"},
			{"redrive", "--destination", "payments.fifo"},
			{"purge", "--destination", "payments.fifo"},
			{"prune", "--destination", "payments.fifo"},
			{"groups", "--destination", "payments.fifo"},
			{"filter", "--destination", "payments.fifo", "--service", "payments"},
		} {
			t.Run(name+" "+args[0], func(t *testing.T) {
				var out, errOut bytes.Buffer
				code := cli.Run(withinAMinute(t), cli.Config{Stdout: &out, Stderr: &errOut},
					append(append([]string{"sql"}, args...), "--dsn", dsn, "--check-timeout", "300ms", "--timeout", "40s"))

				assert.Equal(t, cli.ExitAWS, code, errOut.String())
				assert.Contains(t, errOut.String(), "sql "+args[0]+": connect ("+name+" at "+addr+")")
				assert.Contains(t, errOut.String(), "the database did not answer within --check-timeout (300ms): check that it runs")
				assert.NotContains(t, out.String()+errOut.String(), "secret")
			})
		}
	}
}

// A --check-timeout that is not positive is refused by the sql commands
// before any connection, naming the flag.
func TestSQL_RefuseANonPositiveCheckTimeout(t *testing.T) {
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), cli.Config{Stdout: &out, Stderr: &errOut},
		[]string{"sql", "depth", "--service", "s", "--destination", "d", "--dsn", "postgres://u@127.0.0.1:1/x", "--check-timeout", "0s"})
	assert.Equal(t, cli.ExitUsage, code, errOut.String())
	assert.Contains(t, errOut.String(), "--check-timeout 0s: want a positive duration, such as 5s")
}
