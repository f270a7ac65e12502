package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// pgx's error of a connection that failed on each try has one line a try,
// indented with a tab: the lines print indented, without a backslash.
func TestSQL_ConnectionErrorPrintsItsTriesIndented(t *testing.T) {
	out, errOut, code := newFakeAWS().run(t, "sql", "depth", "--service", "a", "--destination", "b",
		"--timeout", "20s", "--dsn", "postgres://u:secret@127.0.0.1:1/db")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "failed to connect to `user=u database=db`:\n    127.0.0.1:1 (127.0.0.1): dial error")
	assert.NotContains(t, errOut, `\t`)
	assert.NotContains(t, errOut, "\t")
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	assert.Greater(t, len(lines), 2, errOut)
	assert.Contains(t, lines[len(lines)-1], "check that the database runs")
	assert.NotContains(t, out+errOut, "secret")
}
