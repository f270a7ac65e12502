package cqrs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An id whose text as %q quotes it is at most 256 bytes between the quotes
// is quoted as %q quotes it, so an ordinary id reads in error texts as
// before; a longer one is cut, its length shown.
func TestQuotedIDQuotesAsQuoteDoesAndBounds(t *testing.T) {
	for _, id := range []string{"", "m-1", `say "hi"`, `back\slash`, "m\n1\x1b[2J", "m\u202e1", string([]byte{'m', 0xff}),
		strings.Repeat("ü", 128), strings.Repeat(`"`, 128), strings.Repeat("\n", 128), strings.Repeat("\xff", 64)} {
		assert.Equal(t, fmt.Sprintf("%q", id), quotedID(id), "%q", id)
	}
	assert.Equal(t, `"`+strings.Repeat("u", 256)+`…(10000 bytes)"`, quotedID(strings.Repeat("u", 10_000)))
}

// The bound counts the backslash a quote in the id is escaped with: an id
// of quotes is cut as one of other characters Go escapes is, and a cut
// never splits an escape.
func TestQuotedIDBoundsAnIDOfQuotes(t *testing.T) {
	for id, want := range map[string]string{
		strings.Repeat(`"`, 10_000):    `"` + strings.Repeat(`\"`, 128) + `…(10000 bytes)"`,
		strings.Repeat(`"`, 129):       `"` + strings.Repeat(`\"`, 128) + `…(129 bytes)"`,
		"u" + strings.Repeat(`"`, 200): `"u` + strings.Repeat(`\"`, 127) + `…(201 bytes)"`,
		strings.Repeat("\n", 129):      `"` + strings.Repeat(`\n`, 128) + `…(129 bytes)"`,
	} {
		assert.Equal(t, want, quotedID(id), "%.20q", id)
	}
}
