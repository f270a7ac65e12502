package encryption

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// fieldLen is the length appendField writes, at each uvarint length step.
func TestFieldLenIsWhatAppendFieldWrites(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 21} {
		assert.Equal(t, len(appendField(nil, make([]byte, n))), fieldLen(n), "n=%d", n)
	}
}
