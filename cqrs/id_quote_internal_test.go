package cqrs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An id of at most 256 bytes is quoted as %q quotes it, so an ordinary
// id reads in error texts as before; a longer one is cut, its length shown.
func TestQuotedIDQuotesAsQuoteDoesAndBounds(t *testing.T) {
	for _, id := range []string{"", "m-1", `say "hi"`, `back\slash`, "m\n1\x1b[2J", "m\u202e1", string([]byte{'m', 0xff}), strings.Repeat("ü", 128)} {
		assert.Equal(t, fmt.Sprintf("%q", id), quotedID(id), "%q", id)
	}
	assert.Equal(t, `"`+strings.Repeat("u", 256)+`…(10000 bytes)"`, quotedID(strings.Repeat("u", 10_000)))
}
