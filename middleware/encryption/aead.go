package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// newAEAD builds the AES-256-GCM cipher of a 32-byte data key and then
// clears the caller's copy of the key bytes, which nothing else refers to.
// The cipher keeps its own expanded key for as long as it is referenced.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != dataKeySize {
		clear(key)
		return nil, fmt.Errorf("%w: KMS returned a %d-byte data key, want %d", ErrKMS, len(key), dataKeySize)
	}
	block, err := aes.NewCipher(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKMS, err)
	}
	return cipher.NewGCM(block)
}
