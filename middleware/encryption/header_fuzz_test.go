package encryption_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// FuzzParseHeader decodes arbitrary header values, both as metadata text and
// as the base64 of arbitrary binary forms. A value is refused with exactly
// one of ErrTampered and ErrUnsupportedVersion; an accepted one is a complete
// version 1 or 2 header, with no flag but signed (1) and payload version (2),
// whose binary form is the decoded value and whose Encode parses back to the
// same header.
func FuzzParseHeader(f *testing.F) {
	fx := newFuzzFixture(f)
	msg := fx.encrypt(f, []byte(`{"amount":7}`), "")
	real := msg.Metadata.Get(sourceflow.MetaEncryption)
	h, raw, err := encryption.ParseHeader(real)
	require.NoError(f, err)
	f.Add(raw, real)
	h.Context = encryption.EncryptionContext{}
	h.KeyID = ""
	empty, err := h.MarshalBinary()
	require.NoError(f, err)
	text, err := h.Encode()
	require.NoError(f, err)
	f.Add(empty, text)
	f.Add([]byte{2, 0}, "Ag==")
	h.PayloadVersioned = true
	versioned, err := h.MarshalBinary()
	require.NoError(f, err)
	f.Add(versioned, base64.StdEncoding.EncodeToString(append([]byte{2, 4}, versioned[2:]...))) // an unknown flag
	h.Signed, h.MAC = true, bytes.Repeat([]byte{7}, 32)
	signed, err := h.MarshalBinary()
	require.NoError(f, err)
	f.Add(signed, base64.StdEncoding.EncodeToString(append([]byte{2, 0}, signed[2:]...))) // flags cleared, MAC left
	f.Add([]byte{}, "not base64!")
	f.Add(raw[:len(raw)-1], real[:len(real)-4])
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		checkParsed(t, base64.StdEncoding.EncodeToString(raw))
		checkParsed(t, text)
	})
}

// checkParsed asserts the properties of ParseHeader(value).
func checkParsed(t *testing.T, value string) {
	t.Helper()
	h, aad, err := encryption.ParseHeader(value)
	if err != nil {
		tampered, version := errors.Is(err, encryption.ErrTampered), errors.Is(err, encryption.ErrUnsupportedVersion)
		require.True(t, tampered != version, "error of %q is not exactly one sentinel: %v", value, err)
		require.Nil(t, aad)
		require.Equal(t, encryption.Header{}, h)
		return
	}
	require.Contains(t, []byte{encryption.HeaderVersion1, encryption.HeaderVersion2}, h.Version)
	require.Len(t, h.Nonce, 12)
	require.NotEmpty(t, h.WrappedKey)
	decoded, err := base64.StdEncoding.DecodeString(value)
	require.NoError(t, err)
	if h.Version == encryption.HeaderVersion2 {
		require.Zero(t, decoded[1]&^3, "a header with an unknown flag was accepted")
		require.Equal(t, decoded[1]&2 != 0, h.PayloadVersioned)
		require.Equal(t, decoded[1]&1 != 0, h.Signed)
	} else {
		require.False(t, h.PayloadVersioned)
	}
	if h.Signed {
		require.Len(t, h.MAC, 32)
		require.True(t, bytes.HasPrefix(decoded, aad), "the authenticated part is not the header without its MAC")
		require.Equal(t, len(decoded)-33, len(aad))
	} else {
		require.Equal(t, decoded, aad, "the authenticated part is not the decoded value")
	}
	bin, err := h.MarshalBinary()
	require.NoError(t, err)
	require.True(t, bytes.Equal(decoded, bin), "MarshalBinary does not give back the parsed binary form")
	again, err := h.Encode()
	require.NoError(t, err)
	h2, aad2, err := encryption.ParseHeader(again)
	require.NoError(t, err)
	require.Equal(t, h, h2)
	require.Equal(t, aad, aad2)
}
