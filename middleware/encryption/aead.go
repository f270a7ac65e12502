package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// keys is what one data key gives: the AES-256-GCM cipher that encrypts
// payloads, and the HMAC-SHA256 key that signs them when they travel in
// clear (derived from the data key with a label of its own, so the two uses
// never share a key).
type keys struct {
	aead cipher.AEAD
	mac  []byte
}

// macLabel separates the signing key from the encryption key.
const macLabel = "sourceflow message signature v2"

// newKeys builds the keys of a 32-byte data key and then clears the
// caller's copy of the key bytes, which nothing else refers to. The cipher
// keeps its own expanded key for as long as it is referenced.
func newKeys(key []byte) (keys, error) {
	if len(key) != dataKeySize {
		clear(key)
		return keys{}, fmt.Errorf("%w: KMS returned a %d-byte data key, want %d", ErrKMS, len(key), dataKeySize)
	}
	derive := hmac.New(sha256.New, key)
	derive.Write([]byte(macLabel))
	mac := derive.Sum(nil)
	block, err := aes.NewCipher(key)
	clear(key)
	if err != nil {
		return keys{}, fmt.Errorf("%w: %w", ErrKMS, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keys{}, err
	}
	return keys{aead: aead, mac: mac}, nil
}

// sign returns the HMAC-SHA256 of the parts, in order, under the signing key.
func (k keys) sign(parts ...[]byte) []byte {
	h := hmac.New(sha256.New, k.mac)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// protect returns the body of a message with header h, additional data aad
// and payload: for a signed header the payload itself, h.MAC set to its
// signature; otherwise the standard base64 of the AES-GCM ciphertext and
// tag under h.Nonce.
func (k keys) protect(h *Header, aad, payload []byte) []byte {
	if h.Signed {
		h.MAC = k.sign(aad, payload)
		return payload
	}
	sealed := k.aead.Seal(make([]byte, 0, len(payload)+k.aead.Overhead()), h.Nonce, payload, aad)
	body := make([]byte, base64.StdEncoding.EncodedLen(len(sealed)))
	base64.StdEncoding.Encode(body, sealed)
	return body
}
