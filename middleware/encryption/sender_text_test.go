package encryption_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// hugeText is 200 KB of a terminal's clear-screen sequence: a value a
// sender chose, which an error must show escaped and cut.
var hugeText = strings.Repeat("\x1b[2J", 50_000)

func assertShownBounded(t *testing.T, text string) {
	t.Helper()
	assert.Less(t, len(text), 2048, "the sender's value is quoted whole")
	assert.NotContains(t, text, "\x1b", "the sender's value is not escaped")
	assert.Contains(t, text, `\x1b[2J`)
	assert.Contains(t, text, "…(200000 bytes)")
}

// A captured message relabelled with a 200 KB type is refused before any
// KMS call; its error and log line show the type escaped and cut.
func TestDecryptContextMismatchShowsTheSendersTypeBounded(t *testing.T) {
	log := &captureLogger{}
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{Logger: log})
	msg := f.encrypt(t, []byte(`{"a":1}`))
	msg.Metadata.Set(sourceflow.MetaType, hugeText)
	err := f.dec.Decrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrContextMismatch)
	assertShownBounded(t, err.Error())
	assert.Contains(t, err.Error(), `, encrypted for "`+testType+`"`)
	assert.Less(t, len(log.text()), 4096)
}

// A version 1 message, whose envelope is not authenticated, with a 200 KB
// occurred-at time: the error shows it escaped and cut.
func TestDecryptOccurredAtNotRFC3339ShownBounded(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{Version1Until: upgradeEnd})
	msg := sealVersion1(t, f, `{"amount":7}`)
	msg.Metadata.Set(sourceflow.MetaOccurredAt, hugeText)
	err := f.dec.Decrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrExpired)
	assert.Contains(t, err.Error(), "is not an RFC 3339 time")
	assertShownBounded(t, err.Error())
}

// The Encrypter's refusal of an occurred-at time no Decrypter accepts shows
// it escaped and cut too.
func TestEncryptOccurredAtNotRFC3339ShownBounded(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := newMsg(testType, []byte(`{}`))
	msg.Metadata.Set(sourceflow.MetaOccurredAt, hugeText)
	_, err := f.enc.Encrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrEncrypt)
	assertShownBounded(t, err.Error())
}

// A type holding double quotes is shown with them escaped, as %q showed it
// before: the sender cannot make its value read as the end of the quoted
// text and the start of another part of the error.
func TestDecryptContextMismatchEscapesTheSendersQuotes(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := f.encrypt(t, []byte(`{"a":1}`))
	msg.Metadata.Set(sourceflow.MetaType, `x", encrypted for "y`)
	err := f.dec.Decrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrContextMismatch)
	assert.Contains(t, err.Error(), `type "x\", encrypted for \"y", encrypted for "`+testType+`"`)
}
