package cli

import (
	"bytes"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// listRead is what sql dead-letters' read of the dead letters holds: the
// metadata, then when the row was written (see letterDB).
const listRead = `"metadata", CAST(`

// letterDB is a fake database whose dead-letter tables exist and hold
// total rows, of which a read returns one (a destination's dead letter
// that service billing dead-lettered 90 seconds before the read).
func letterDB(total int64) *sqldbtest.DB {
	return letterDBWith(total, `{"sf_failure":"card declined","sf_dead_lettered_by":"billing"}`)
}

// letterDBWith is letterDB whose dead letter has the metadata meta.
func letterDBWith(total int64, meta string) *sqldbtest.DB {
	return &sqldbtest.DB{Values: map[string]int64{"COUNT(": total},
		Rows: map[string][]driver.Value{listRead: {"1", int64(1), "row-1", []byte(`{}`), []byte(meta), int64(1_796_000_000), int64(1_796_000_090)}}}
}

// sql dead-letters reads at most --max dead letters, in one bounded query,
// and says how many more there are: in the heading, or on standard error
// with -o json.
func TestSQLDeadLettersReadsAtMostMaxAndSaysHowManyMore(t *testing.T) {
	f := letterDB(5)
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 1}, "payments.fifo", false))

	reads := f.Ran(listRead)
	require.Len(t, reads, 1)
	assert.True(t, strings.HasSuffix(reads[0], " LIMIT 1"), reads[0])
	assert.Contains(t, out.String(), "5 dead letters of destination payments.fifo")
	assert.Contains(t, out.String(), "; the oldest 1 shown, 4 more not shown (raise --max).")
	assert.Contains(t, out.String(), "card declined")
	assert.Empty(t, errOut.String())

	out.Reset()
	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut,
		sqlLettersFlags{max: 1, output: outputJSON}, "payments.fifo", false))
	assert.Equal(t, "note: 4 more dead letters not shown: the oldest 1 are (raise --max)\n", errOut.String())
	assert.Contains(t, out.String(), `"reason": "card declined"`)
}

// Without --payload, sql dead-letters reads no payload past its first 64
// KiB (enough for an outbox's forwarder envelope); with it, payloads are
// read whole.
func TestSQLDeadLettersReadsPayloadsWholeOnlyWithPayload(t *testing.T) {
	for _, tt := range []struct {
		name     string
		flags    sqlLettersFlags
		isOutbox bool
		payload  string
	}{
		{"destination", sqlLettersFlags{max: 10}, false, `substring("payload" from 1 for 65536)`},
		{"outbox", sqlLettersFlags{max: 10}, true, `substring(convert_to("payload"::text, 'UTF8') from 1 for 65536)`},
		{"destination --payload", sqlLettersFlags{max: 10, payload: true}, false, `"uuid", "payload", "metadata"`},
		{"outbox --payload", sqlLettersFlags{max: 10, payload: true}, true, `"uuid", "payload", "metadata"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := letterDB(1)
			var out, errOut bytes.Buffer

			require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, tt.flags, "orders_outbox", tt.isOutbox))

			reads := f.Ran(listRead)
			require.Len(t, reads, 1)
			assert.Contains(t, reads[0], tt.payload)
		})
	}
}
