package cqrs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The error of an unknown type names at most errtext.MaxListed handled types,
// then how many more there are.
func TestHandledTypesTextIsBounded(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("t%02d", i)
		}
		return out
	}
	assert.Equal(t, "no type is handled there", handledTypesText(nil))
	assert.Equal(t, `types handled there: "t00"`, handledTypesText(names(1)))
	assert.Equal(t, `types handled there: "t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09"`,
		handledTypesText(names(10)))
	assert.Equal(t, `types handled there: "t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09" and 2 more`,
		handledTypesText(names(12)))
}

// A handled type's name is shown as quotedID shows a sender's text: its
// control characters escaped, a huge name cut with its length.
func TestHandledTypesTextEscapesAndBoundsEachName(t *testing.T) {
	text := handledTypesText([]string{"orders.\x1b[31mPlace\n", strings.Repeat("x", 100_000)})

	assert.Equal(t, `types handled there: "orders.\x1b[31mPlace\n", `+quotedID(strings.Repeat("x", 100_000)), text)
	assert.Contains(t, text, "…(100000 bytes)")
	assert.NotContains(t, text, "\x1b")
	assert.Less(t, len(text), 400)
}
