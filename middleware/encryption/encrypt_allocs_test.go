package encryption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Encrypting a message with a cached data key builds the header's binary
// form once, in the buffer of the additional data (or MAC input) sized for
// the envelope too: 14 allocations sealed, 18 signed (16 and 20 when the
// header was built again to be encoded).
func TestEncryptAllocations(t *testing.T) {
	for _, c := range []struct {
		signOnly bool
		want     float64
	}{{false, 14}, {true, 18}} {
		enc := newEncrypter(t, c.signOnly)
		in := newMsg(testType, make([]byte, 1024))
		ctx := context.Background()
		_, err := enc.Encrypt(ctx, testDest, in)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(100, func() { _, _ = enc.Encrypt(ctx, testDest, in) })
		assert.LessOrEqual(t, allocs, c.want, "SignOnly %v", c.signOnly)
	}
}
