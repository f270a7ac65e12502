package cqrs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The error of an unknown type names at most maxNamedTypes handled types,
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
