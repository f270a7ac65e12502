package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// What an error's text says of one call only (a request or host id, the
// local address of a connection) is left out of its cause, so that calls
// failed alike read alike; what it says of the failure stays.
func TestShortCauseLeavesOutWhatDiffersPerCall(t *testing.T) {
	for text, want := range map[string]string{
		"proxy refused the call, RequestID: 4f2c-11, retry later":         "proxy refused the call, retry later",
		"upstream error (request id: abc123)":                             "upstream error",
		"gateway timeout; x-amzn-RequestId=9a8b7c; HostId: zz/yy+1":       "gateway timeout",
		"https response error StatusCode: 502, RequestID: , bad gateway":  "https response error StatusCode: 502, bad gateway",
		"read tcp 127.0.0.1:40001->127.0.0.1:4566: connection reset":      "read tcp 127.0.0.1:4566: connection reset",
		"write tcp [::1]:50122->[::1]:4566: broken pipe":                  "write tcp [::1]:4566: broken pipe",
		"bad gateway from 10.0.0.7:8080, request-id: r1, host id: h2, go": "bad gateway from 10.0.0.7:8080, go",
	} {
		wrapped := fmt.Errorf("find the account with sts:GetCallerIdentity: %w", errors.New(text))
		assert.Equal(t, "find the account with sts:GetCallerIdentity: "+want, shortCause(wrapped), text)
	}
}

// A cause longer than maxCause keeps its beginning and its end, in at most
// maxCause bytes, never cut inside a character; a shorter one is kept whole.
func TestBoundedCauseKeepsBothEndsBetweenCharacters(t *testing.T) {
	for _, text := range []string{strings.Repeat("é", 1000) + "end", "b" + strings.Repeat("€", 1000), strings.Repeat("x", maxCause)} {
		got := boundedCause(text)
		assert.LessOrEqual(t, len(got), maxCause, "%.40q", text)
		assert.True(t, utf8.ValidString(got), "%q", got)
		assert.Equal(t, text[:1], got[:1])
		assert.True(t, strings.HasSuffix(text, got[len(got)-3:]), "%q", got)
	}
	assert.Equal(t, strings.Repeat("x", maxCause), boundedCause(strings.Repeat("x", maxCause)))
	assert.Contains(t, boundedCause(strings.Repeat("x", maxCause+1)), " … ")
}

// The cause of a call whose endpoint answered a message of any length
// keeps its beginning and its end, bounded; the search for request ids reads
// only those ends (maxCauseRead), so its cost does not grow with the answer:
// BenchmarkShortCauseOfAHugeAnswer measures it.
func TestShortCauseOfAHugeAnswerKeepsItsEnds(t *testing.T) {
	cause := shortCause(hugeAnswer())

	assert.LessOrEqual(t, len(cause), maxCause)
	assert.True(t, strings.HasPrefix(cause, "find the account with sts:GetCallerIdentity: AAA"), "%.80q", cause)
	assert.True(t, strings.HasSuffix(cause, "AAA, end"), "%q", cause[len(cause)-80:])
}

func BenchmarkShortCauseOfAHugeAnswer(b *testing.B) {
	err := hugeAnswer()
	for b.Loop() {
		_ = shortCause(err)
	}
}

// hugeAnswer is the error of a call whose endpoint answered 16 MiB.
func hugeAnswer() error {
	return fmt.Errorf("find the account with sts:GetCallerIdentity: %w", errors.New(strings.Repeat("A", 16<<20)+", RequestID: r1, end"))
}
