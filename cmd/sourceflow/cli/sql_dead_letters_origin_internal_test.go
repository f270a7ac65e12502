package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sql dead-letters shows, for each dead letter of a destination, which
// host and which version of the service failed it, "-" when the dead
// letter does not say (written before services recorded them); with -o
// json, "failed_host" and "failed_version", left out then.
func TestSQLDeadLettersShowsTheHostAndVersionThatFailedEach(t *testing.T) {
	f := letterDBWith(1, `{"sf_failure":"card declined","sf_dead_lettered_by":"billing",`+
		`"sf_failed_host":"web-7","sf_failed_version":"v1.4.2"}`)
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 10}, "payments.fifo", false))
	assert.Regexp(t, `MESSAGE ID\s+TYPE\s+ENTITY\s+SERVICE\s+HOST\s+VERSION\s+AGE\s+REASON\n`, out.String())
	assert.Regexp(t, `row-1\s+-\s+-\s+billing\s+web-7\s+v1\.4\.2\s+1m30s\s+card declined\n`, out.String())

	out.Reset()
	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut,
		sqlLettersFlags{max: 10, output: outputJSON}, "payments.fifo", false))
	assert.Contains(t, out.String(), `"failed_host": "web-7"`)
	assert.Contains(t, out.String(), `"failed_version": "v1.4.2"`)

	out.Reset()
	require.NoError(t, newWarnConn(t, letterDB(1)).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 10}, "payments.fifo", false))
	assert.Regexp(t, `row-1\s+-\s+-\s+billing\s+-\s+-\s+1m30s\s+card declined\n`, out.String())
	out.Reset()
	require.NoError(t, newWarnConn(t, letterDB(1)).listDeadLetters(t.Context(), &out, &errOut,
		sqlLettersFlags{max: 10, output: outputJSON}, "payments.fifo", false))
	assert.NotContains(t, out.String(), "failed_host")
	assert.NotContains(t, out.String(), "failed_version")
}
