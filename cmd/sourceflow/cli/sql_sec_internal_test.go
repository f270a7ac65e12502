package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSecReasonGroupIsBounded: sql dead-letters --summary and purge's dry
// run keep one map key per distinct grouped reason, for up to
// maxScannedLetters dead letters. sqlbus does not cut a reason on
// PostgreSQL, so a handler whose error echoes its input (a 1 MiB body,
// different in each message) makes each key that long: 100,000 of them
// hold about 100 GiB. The key a reason is grouped by must be bounded, as
// awsbus bounds the reason it carries (1 KiB).
func TestSecReasonGroupIsBounded(t *testing.T) {
	reason := "validate: " + strings.Repeat("x", 1<<20) + "\nstack"
	got := reasonGroup(sqlLetter{MessageID: "m-1", Reason: reason})
	assert.LessOrEqual(t, len(got), 4<<10, "the grouped reason is %d bytes", len(got))
}
