package cli

import (
	"strings"
	"testing"
	"unicode/utf8"

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

// TestSecReasonGroupCutsAtACharacterAndSaysSo: a reason cut to its bound
// stays valid UTF-8 (cut at a character's start, never inside one), ends
// in "…", and still has its ids replaced by their marks.
func TestSecReasonGroupCutsAtACharacterAndSaysSo(t *testing.T) {
	id := "0b9c2a4e-6f1d-4c8e-9a3b-5d7e1f2a4c6b"
	reason := "order " + id + " refused: " + strings.Repeat("é", 1<<19)
	got := reasonGroup(sqlLetter{MessageID: "m-1", Reason: reason})
	assert.True(t, utf8.ValidString(got), "the cut reason is valid UTF-8")
	assert.True(t, strings.HasSuffix(got, "…"), "the cut reason ends in …: %q", got[len(got)-8:])
	assert.True(t, strings.HasPrefix(got, "order <id> refused: éé"), got[:32])
	assert.LessOrEqual(t, len(got), maxGroupKey+len("…"))
	assert.Equal(t, "short reason", reasonGroup(sqlLetter{MessageID: "m-1", Reason: "short reason"}), "a short reason is not cut")
}

// TestSecTallyKeysAreBounded: the type a tally counts by is cut as the
// reason is (sf_type is metadata a producer sets, of any length), and a
// tally without reasons (purge's dry run, which prints none) groups none.
func TestSecTallyKeysAreBounded(t *testing.T) {
	long := sqlLetter{MessageID: "m-1", Type: strings.Repeat("T", 1<<20), Reason: strings.Repeat("r", 1<<20)}
	tally := newLetterTally(true)
	tally.add(long)
	for key := range tally.byType {
		assert.LessOrEqual(t, len(key), maxGroupKey+len("…"))
		assert.True(t, strings.HasSuffix(key, "…"))
	}
	for key := range tally.byReason {
		assert.LessOrEqual(t, len(key), maxGroupKey+len("…"))
	}
	assert.Equal(t, int64(1), tally.total)

	dry := newLetterTally(false)
	dry.add(long)
	assert.Empty(t, dry.byReason, "no reason is grouped")
	assert.Equal(t, map[string]int64{strings.Repeat("T", maxGroupKey) + "…": 1}, dry.byType)
}

// TestSecReasonGroupLooksAtTheReasonsStartOnly: a reason's first line is
// cut at maxGroupKey bytes whatever follows (the rest of a long line, a
// "\r\n" just past the bound), and a line ending at the bound is not cut.
func TestSecReasonGroupLooksAtTheReasonsStartOnly(t *testing.T) {
	line := strings.Repeat("a", maxGroupKey)
	assert.Equal(t, line, reasonGroup(sqlLetter{MessageID: "m-1", Reason: line + "\r\nstack"}))
	assert.Equal(t, line, reasonGroup(sqlLetter{MessageID: "m-1", Reason: line + "\nstack"}))
	assert.Equal(t, line+"…", reasonGroup(sqlLetter{MessageID: "m-1", Reason: line + "b\r\nstack"}))
	assert.Equal(t, line+"…", reasonGroup(sqlLetter{MessageID: "m-1", Reason: line + "\rb" + strings.Repeat("c", 1<<20)}))
}
