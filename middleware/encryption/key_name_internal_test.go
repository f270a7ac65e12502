package encryption

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A Decrypter's cache key is the SHA-256 of the wrapped key, the canonical
// encryption context and the pinned key, each length-prefixed, whatever
// their sizes: small ones computed on the stack, large ones beyond it.
func TestKeyNameIsTheDigestOfItsLengthPrefixedParts(t *testing.T) {
	long := strings.Repeat("x", maxContextLen)
	for _, c := range []struct {
		name    string
		wrapped []byte
		ec      EncryptionContext
		pin     string
	}{
		{"empty", nil, EncryptionContext{}, ""},
		{"typical", []byte(strings.Repeat("w", 184)), EncryptionContext{App: "orders", Type: "OrderCreated", Destination: "events"},
			"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{"large", []byte(strings.Repeat("w", maxWrappedLen)), EncryptionContext{App: long, Type: long, Destination: long},
			strings.Repeat("k", maxKeyIDLen)},
	} {
		t.Run(c.name, func(t *testing.T) {
			canon := c.ec.canonical()
			assert.Equal(t, canon, string(c.ec.appendCanonical(nil)))
			sum := sha256.New()
			for _, part := range [][]byte{c.wrapped, []byte(canon), []byte(c.pin)} {
				sum.Write(binary.AppendUvarint(nil, uint64(len(part))))
				sum.Write(part)
			}
			assert.Equal(t, string(sum.Sum(nil)), keyName(c.wrapped, c.ec, c.pin))
		})
	}
}

// Computing a cache key for typical sizes allocates only the key.
func TestKeyNameAllocatesOnlyTheKey(t *testing.T) {
	wrapped := []byte(strings.Repeat("w", 184))
	ec := EncryptionContext{App: "orders", Type: "OrderCreated", Destination: "events"}
	pin := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	allocs := testing.AllocsPerRun(100, func() { _ = keyName(wrapped, ec, pin) })
	assert.Equal(t, 1.0, allocs)
}

// The canonical context gives each field's length, so no two contexts
// share one; for typical sizes it allocates only the string.
func TestCanonicalContextIsLengthPrefixedAndAllocatesOnlyTheString(t *testing.T) {
	ec := EncryptionContext{App: "orders", Type: "OrderCreated", Destination: "events"}
	assert.Equal(t, "6:orders,12:OrderCreated,6:events", ec.canonical())
	assert.Equal(t, "0:,2:a,,0:", EncryptionContext{Type: "a,"}.canonical())
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = ec.canonical() }))
}
