package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sql dead-letters shows, for each dead letter of a destination, the
// service (consumer group) that dead-lettered it and how long ago (its
// row's created_at, by the database's clock): with -o json, the time too.
func TestSQLDeadLettersShowsTheServiceAndTheAgeOfEach(t *testing.T) {
	f := letterDB(1)
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 10}, "payments.fifo", false))
	assert.Regexp(t, `MESSAGE ID\s+TYPE\s+ENTITY\s+SERVICE\s+HOST\s+VERSION\s+AGE\s+REASON\n`, out.String())
	assert.Regexp(t, `row-1\s+-\s+-\s+billing\s+-\s+-\s+1m30s\s+card declined\n`, out.String())

	out.Reset()
	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut,
		sqlLettersFlags{max: 10, output: outputJSON}, "payments.fifo", false))
	assert.Contains(t, out.String(), `"service": "billing"`)
	assert.Contains(t, out.String(), `"dead_lettered": "2026-11-30T00:53:20Z"`)
	assert.Contains(t, out.String(), `"age_seconds": 90`)
}
