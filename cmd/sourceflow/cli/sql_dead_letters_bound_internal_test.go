package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sql dead-letters says "at least" when the count of the dead letters it
// does not show reached the bound sqlbus.DeadLetters counts up to: its
// count reads no further, and more may follow.
func TestSQLDeadLettersSaysAtLeastWhenTheCountReachedItsBound(t *testing.T) {
	f := letterDB(1 + sqlbus.MoreDeadLettersBound)
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 1}, "payments.fifo", false))
	assert.Contains(t, out.String(), "at least 100001 dead letters of destination payments.fifo")
	assert.Contains(t, out.String(), "; the oldest 1 shown, at least 100000 more not shown (raise --max).")
	assert.NotEmpty(t, f.Ran("LIMIT 100001) AS head"), "the count reads no more than the bound past the head")

	out.Reset()
	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut,
		sqlLettersFlags{max: 1, output: outputJSON}, "payments.fifo", false))
	assert.Equal(t, "note: at least 100000 more dead letters not shown: the oldest 1 are (raise --max)\n", errOut.String())
}
