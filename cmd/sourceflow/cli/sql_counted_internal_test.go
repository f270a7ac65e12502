package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A single dead letter is counted in the singular, and what would move it
// says "it".
func TestSQLRedriveCountsOneDeadLetterInTheSingular(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 1}}
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).countToRedrive(t.Context(), &out, &errOut, "payments.fifo", false))

	assert.Contains(t, out.String(), "1 dead letter of destination payments.fifo (")
	assert.Contains(t, out.String(), "Nothing moved: add --yes to move it back")
}
