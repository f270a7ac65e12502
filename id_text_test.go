package sourceflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A message id reaches a log line bounded, with the characters a terminal
// or a log line would act on escaped; an ordinary id is unchanged.
func TestIDTextBoundsAndEscapesASendersID(t *testing.T) {
	for id, want := range map[string]string{
		"":                                     "",
		"0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f": "0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f",
		"m-1\nlevel=INFO msg=forged":           `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b[2J":                           `m-1\x1b[2J`,
		`m\x1b`:                                `m\\x1b`,
		"m\u202e1":                             `m\u202e1`,
		string([]byte{'m', 0xff}):              `m\xff`,
		strings.Repeat("u", 200_000):           strings.Repeat("u", 256) + "…(200000 bytes)",
		strings.Repeat("u", 256):               strings.Repeat("u", 256),
		strings.Repeat("ü", 200):               strings.Repeat("ü", 128) + "…(400 bytes)",
		strings.Repeat("\n", 200):              strings.Repeat(`\n`, 128) + "…(200 bytes)",
		"m…":                                   "m…",
	} {
		assert.Equal(t, want, sourceflow.IDText(id), "%.40q", id)
	}
}

// Two long ids that begin alike, cut at the same byte, are told apart by
// the length shown after the cut.
func TestIDTextShowsTheLengthOfACutID(t *testing.T) {
	a, b := strings.Repeat("u", 70_000), strings.Repeat("u", 70_001)

	assert.NotEqual(t, sourceflow.IDText(a), sourceflow.IDText(b))
	assert.Equal(t, strings.Repeat("u", 256)+"…(70000 bytes)", sourceflow.IDText(a))
}

// A message id a sender chose, as a log line shows it.
func ExampleIDText() {
	fmt.Println(sourceflow.IDText("0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f"))
	fmt.Println(sourceflow.IDText("m-1\nlevel=INFO msg=forged"))
	fmt.Println(sourceflow.IDText(strings.Repeat("m", 300))[250:])
	// Output:
	// 0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f
	// m-1\nlevel=INFO msg=forged
	// mmmmmm…(300 bytes)
}

// A cut id's text is longer than 256 bytes, whatever its last escape, and
// a whole one's never is: an id that ends as a cut one does is told apart
// by its text's length.
func TestIDTextOfACutIDIsLongerThanAnyWholeOne(t *testing.T) {
	for _, id := range []string{strings.Repeat("u", 257), strings.Repeat("\U000e0001", 100),
		strings.Repeat("\xff", 65), "u" + strings.Repeat("\U000e0001", 100)} {
		assert.Greater(t, len(sourceflow.IDText(id)), sourceflow.MaxCorrelationIDLen, "%.40q", id)
	}
	forged := strings.Repeat("u", 240) + "…(70000 bytes)"
	assert.Equal(t, forged, sourceflow.IDText(forged))
	assert.LessOrEqual(t, len(sourceflow.IDText(forged)), sourceflow.MaxCorrelationIDLen)
}
