package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A single dead letter is counted in the singular, and what would move it
// says "it".
func TestSQLRedriveCountsOneDeadLetterInTheSingular(t *testing.T) {
	out := redriveDryRun(t, "payments.fifo", false)

	assert.Contains(t, out, "1 dead letter of destination payments.fifo (")
	assert.Contains(t, out, "Nothing moved: add --yes to move it back")
}
