package encryption

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
)

// Header versions. Version 2 is the one this package writes; version 1
// headers, written by earlier releases, are read only when
// DecrypterConfig.Version1Until is set, and until then.
const (
	// HeaderVersion1: AES-256-GCM with a 96-bit random nonce and a 128-bit
	// tag, data key wrapped by KMS; the header alone is the additional data.
	HeaderVersion1 byte = 1
	// HeaderVersion2 adds a flags byte and authenticates the envelope with
	// the payload: the additional data (or, for a signed message, the HMAC
	// input) is the header and the envelope fields the metadata carries
	// (see the package documentation).
	HeaderVersion2 byte = 2
)

// macSize is the length of an HMAC-SHA256.
const macSize = 32

const (
	nonceSize     = 12
	dataKeySize   = 32
	maxKeyIDLen   = 2048
	maxWrappedLen = 6144 // the largest KMS ciphertext blob
	maxContextLen = 1024
	// maxFieldLen is the largest limit of any length-prefixed field.
	maxFieldLen = max(maxKeyIDLen, maxWrappedLen, maxContextLen, macSize)
)

// Encryption-context keys sent to KMS.
const (
	ContextKeyApp         = "sourceflow:app"
	ContextKeyType        = "sourceflow:type"
	ContextKeyDestination = "sourceflow:destination"
)

// EncryptionContext is what a ciphertext is bound to: the application, the
// message type and the destination. It is sent to KMS with GenerateDataKey and
// Decrypt (so KMS refuses to unwrap a data key under another context) and it is
// part of the header, which AES-GCM authenticates as additional data.
type EncryptionContext struct {
	// App is the configured application name.
	App string
	// Type is the message type (metadata sourceflow.MetaType).
	Type string
	// Destination is the topic or queue name.
	Destination string
}

// Map returns the context as a KMS encryption context. Empty fields are left
// out because KMS rejects empty values.
func (c EncryptionContext) Map() map[string]string {
	m := make(map[string]string, 3)
	if c.App != "" {
		m[ContextKeyApp] = c.App
	}
	if c.Type != "" {
		m[ContextKeyType] = c.Type
	}
	if c.Destination != "" {
		m[ContextKeyDestination] = c.Destination
	}
	return m
}

// check refuses a context that a header cannot carry: ParseHeader refuses
// an application name, type or destination longer than maxContextLen
// bytes, so a message encrypted under one could never be decrypted.
func (c EncryptionContext) check() error {
	for _, f := range [...]struct{ name, value string }{
		{"application name", c.App}, {"message type", c.Type}, {"destination", c.Destination},
	} {
		if len(f.value) > maxContextLen {
			return fmt.Errorf("the %s is %d bytes; an encryption header holds at most %d", f.name, len(f.value), maxContextLen)
		}
	}
	return nil
}

// canonical is an unambiguous encoding of the context, used in cache keys:
// appendCanonical's bytes as a string. It is computed on the stack up to
// typical sizes: the only allocation is the returned string.
func (c EncryptionContext) canonical() string {
	var buf [128]byte
	return string(c.appendCanonical(buf[:0]))
}

// appendCanonical appends the canonical encoding of the context to b, each
// field as its length in decimal, a colon and its bytes, the fields joined
// by commas ("6:orders,12:OrderCreated,6:events"), allocating nothing when
// b has room.
func (c EncryptionContext) appendCanonical(b []byte) []byte {
	for i, f := range [...]string{c.App, c.Type, c.Destination} {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return b
}

// Header is the envelope-encryption header carried in metadata key
// sourceflow.MetaEncryption. Its binary form (all lengths unsigned varints):
//
//	version 1: 1 | len,keyID | len,wrappedKey | nonce(12) | len,app | len,type | len,destination
//	version 2: 2 | flags | len,keyID | len,wrappedKey | nonce(12) | len,app | len,type | len,destination [| len,mac]
//
// flags is a bit set: 1 signed (the MAC follows), 2 payload version
// authenticated (PayloadVersioned); any other bit is refused.
// base64 (standard, padded) of that is the metadata value. The binary form
// without the MAC is authenticated (see HeaderVersion2), so changing any
// field fails authentication.
type Header struct {
	// Version is the format version: HeaderVersion2, or HeaderVersion1 for
	// a header an earlier release wrote.
	Version byte
	// Signed is true (version 2) for a signed message: its payload is in
	// clear and MAC authenticates it with the envelope and the header.
	Signed bool
	// MAC is the HMAC-SHA256 of a signed message; nil otherwise.
	MAC []byte
	// PayloadVersioned is true (version 2) for a message that carries a
	// payload version (metadata sourceflow.MetaPayloadVersion, other than
	// empty or "0"): the additional data or MAC input then authenticates
	// it after the envelope.
	PayloadVersioned bool
	// KeyID is the ARN of the KMS key that wrapped the data key, as KMS
	// reported it. A Decrypter with DecrypterConfig.KeyIDs checks it before
	// any KMS call and pins KMS Decrypt to it; without KeyIDs it is
	// informational.
	KeyID string
	// WrappedKey is the KMS ciphertext blob of the data key.
	WrappedKey []byte
	// Nonce is the 96-bit AES-GCM nonce of this message.
	Nonce []byte
	// Context is the encryption context the message is bound to.
	Context EncryptionContext
}

// MarshalBinary returns the binary form of h.
func (h Header) MarshalBinary() ([]byte, error) {
	b, err := h.authenticated(0)
	if err != nil {
		return nil, err
	}
	return h.appendMAC(b)
}

// appendMAC completes b, the binary form of h without the MAC
// (authenticated), with the MAC of a signed header: the binary form of h.
// It may write over b's spare capacity.
func (h Header) appendMAC(b []byte) ([]byte, error) {
	if !h.Signed {
		return b, nil
	}
	if len(h.MAC) != macSize {
		return nil, fmt.Errorf("header MAC must be %d bytes, got %d", macSize, len(h.MAC))
	}
	return appendField(b, h.MAC), nil
}

// authenticated returns the binary form of h without the MAC: what the
// additional data or the MAC input starts with, with room for the MAC and
// extra more bytes.
func (h Header) authenticated(extra int) ([]byte, error) {
	switch {
	case h.Version != HeaderVersion1 && h.Version != HeaderVersion2:
		return nil, fmt.Errorf("%w: %d", ErrUnsupportedVersion, h.Version)
	case h.Version == HeaderVersion1 && h.Signed:
		return nil, fmt.Errorf("%w: a version 1 header cannot be signed", ErrUnsupportedVersion)
	case h.Version == HeaderVersion1 && h.PayloadVersioned:
		return nil, fmt.Errorf("%w: a version 1 header cannot authenticate a payload version", ErrUnsupportedVersion)
	case len(h.Nonce) != nonceSize:
		return nil, fmt.Errorf("header nonce must be %d bytes, got %d", nonceSize, len(h.Nonce))
	}
	n := 2 + nonceSize + 6*binary.MaxVarintLen16 + len(h.KeyID) + len(h.WrappedKey) +
		len(h.Context.App) + len(h.Context.Type) + len(h.Context.Destination) + macSize + extra
	b := make([]byte, 0, n)
	b = append(b, h.Version)
	if h.Version == HeaderVersion2 {
		b = append(b, h.flags())
	}
	b = appendField(b, []byte(h.KeyID))
	b = appendField(b, h.WrappedKey)
	b = append(b, h.Nonce...)
	b = appendField(b, []byte(h.Context.App))
	b = appendField(b, []byte(h.Context.Type))
	b = appendField(b, []byte(h.Context.Destination))
	return b, nil
}

// Encode returns the metadata value of h: base64 of its binary form.
func (h Header) Encode() (string, error) {
	b, err := h.MarshalBinary()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ParseHeader decodes a metadata value written by Encode. It also returns
// the binary form without the MAC, which the additional data or the MAC
// input starts with. A malformed header yields ErrTampered, an unknown
// version ErrUnsupportedVersion.
func ParseHeader(value string) (Header, []byte, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) == 0 {
		return Header{}, nil, fmt.Errorf("%w: header is not base64", ErrTampered)
	}
	if raw[0] != HeaderVersion1 && raw[0] != HeaderVersion2 {
		return Header{}, nil, fmt.Errorf("%w: %d", ErrUnsupportedVersion, raw[0])
	}
	r := fieldReader{buf: raw[1:]}
	h := Header{Version: raw[0]}
	if h.Version == HeaderVersion2 {
		if flags := r.fixed(1); len(flags) == 1 {
			h.Signed = flags[0]&flagSigned != 0
			h.PayloadVersioned = flags[0]&flagPayloadVersion != 0
			r.bad = r.bad || flags[0]&^knownFlags != 0
		}
	}
	h.KeyID = string(r.field(maxKeyIDLen))
	h.WrappedKey = r.field(maxWrappedLen)
	h.Nonce = r.fixed(nonceSize)
	h.Context.App = string(r.field(maxContextLen))
	h.Context.Type = string(r.field(maxContextLen))
	h.Context.Destination = string(r.field(maxContextLen))
	authenticated := raw[: len(raw)-len(r.buf) : len(raw)-len(r.buf)] // appending never writes over the MAC
	if h.Signed {
		h.MAC = r.field(macSize)
		r.bad = r.bad || len(h.MAC) != macSize
	}
	if r.bad || len(r.buf) != 0 || len(h.WrappedKey) == 0 {
		return Header{}, nil, fmt.Errorf("%w: header is malformed", ErrTampered)
	}
	return h, authenticated, nil
}

// fieldLen is the length of a field of n bytes as appendField writes it.
func fieldLen(n int) int {
	size := 1
	for v := n; v >= 0x80; v >>= 7 {
		size++
	}
	return size + n
}

// appendField appends field to b, prefixed with its length as a uvarint.
func appendField(b, field []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(field)))
	return append(b, field...)
}

// fieldReader reads length-prefixed fields; after the first error it only
// records that the input was bad.
type fieldReader struct {
	buf []byte
	bad bool
}

func (r *fieldReader) field(limit int) []byte {
	if r.bad {
		return nil
	}
	n, k := binary.Uvarint(r.buf)
	// A last byte of zero after the first is an overlong length, which
	// appendField never writes: each header has one binary form. A length
	// beyond what is left is refused by fixed.
	if k <= 0 || (k > 1 && r.buf[k-1] == 0) || n > maxFieldLen || int(n) > limit {
		r.bad = true
		return nil
	}
	r.buf = r.buf[k:]
	return r.fixed(int(n))
}

func (r *fieldReader) fixed(n int) []byte {
	if r.bad || len(r.buf) < n {
		r.bad = true
		return nil
	}
	out := r.buf[:n:n]
	r.buf = r.buf[n:]
	return out
}
