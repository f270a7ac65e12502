package encryption_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// envelopeMsg is a message with a whole envelope, occurred at the clock's
// time.
func envelopeMsg(f *fixture, payload string) *message.Message {
	m := newMsg(testType, []byte(payload))
	m.Metadata.Set(sourceflow.MetaEntityID, "owner-1")
	m.Metadata.Set(sourceflow.MetaSequence, "7")
	m.Metadata.Set(sourceflow.MetaOccurredAt, f.clock.Now().UTC().Format(time.RFC3339Nano))
	m.Metadata.Set(sourceflow.MetaCorrelationID, "corr-1")
	m.Metadata.Set(sourceflow.MetaCausationID, "cause-1")
	return m
}

func seal(t *testing.T, f *fixture, payload string) *message.Message {
	t.Helper()
	out, err := f.enc.Encrypt(context.Background(), testDest, envelopeMsg(f, payload))
	require.NoError(t, err)
	return out
}

func TestARewrittenEnvelopeFailsAuthentication(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		for key, value := range map[string]string{
			sourceflow.MetaEntityID:      "victim-1",
			sourceflow.MetaMessageID:     "m-fresh",
			sourceflow.MetaSequence:      "8",
			sourceflow.MetaOccurredAt:    f.clock.Now().Add(time.Minute).UTC().Format(time.RFC3339Nano), // within the skew
			sourceflow.MetaCorrelationID: "corr-2",
			sourceflow.MetaCausationID:   "",
			sourceflow.MetaReplay:        "true",
		} {
			msg := seal(t, f, `{"amount":7}`)
			msg.Metadata.Set(key, value)
			err := f.dec.Decrypt(context.Background(), testDest, msg)
			require.ErrorIs(t, err, encryption.ErrTampered, "signed=%v, %s rewritten", sign, key)
			assert.True(t, sourceflow.IsPermanent(err), "dead-lettered at once")
		}
		msg := seal(t, f, `{"amount":7}`)
		msg.Metadata.Set(sourceflow.MetaTraceParent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, msg), "other metadata is not authenticated")
		assert.Equal(t, `{"amount":7}`, string(msg.Payload))
	}
}

func TestSignedMessagesTravelInClearAndAreAuthenticated(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{SignOnly: true}, encryption.DecrypterConfig{Accept: encryption.AcceptSigned})
	msg := seal(t, f, `{"amount":7}`)
	assert.Equal(t, `{"amount":7}`, string(msg.Payload), "the payload is not encrypted")
	h, _, err := encryption.ParseHeader(msg.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	assert.True(t, h.Signed)
	assert.Equal(t, encryption.HeaderVersion2, h.Version)
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, msg))
	assert.Equal(t, `{"amount":7}`, string(msg.Payload))
	assert.NotContains(t, msg.Metadata, sourceflow.MetaEncryption)

	tampered := seal(t, f, `{"amount":7}`)
	tampered.Payload = []byte(`{"amount":700}`)
	err = f.dec.Decrypt(context.Background(), testDest, tampered)
	require.ErrorIs(t, err, encryption.ErrTampered)
	assert.Contains(t, err.Error(), "signature does not match")

	plain := newMsg(testType, []byte(`{}`))
	require.ErrorIs(t, f.dec.Decrypt(context.Background(), testDest, plain), encryption.ErrNotEncrypted, "AcceptSigned refuses a bare message")

	strict := f.newDecrypter(t, encryption.DecrypterConfig{})
	err = strict.Decrypt(context.Background(), testDest, seal(t, f, `{}`))
	require.ErrorIs(t, err, encryption.ErrNotEncrypted, "the default, AcceptEncrypted, refuses a signed-only message")
	assert.True(t, sourceflow.IsPermanent(err))
}

func TestSigningCostsNoKMSCallPerMessage(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{SignOnly: true}, encryption.DecrypterConfig{Accept: encryption.AcceptSigned})
	for range 500 {
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, seal(t, f, `{"amount":7}`)))
	}
	assert.Equal(t, int64(1), f.enc.Stats().GenerateDataKeyCalls)
	assert.Equal(t, int64(1), f.dec.Stats().DecryptCalls)
}

func TestMessagesOlderThanTheMaxAgeAreRefused(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{MaxAge: 48 * time.Hour})
	fresh, old := seal(t, f, `{"n":1}`), seal(t, f, `{"n":2}`)
	f.clock.Advance(47 * time.Hour)
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, fresh), "inside the window")
	f.clock.Advance(2 * time.Hour)
	err := f.dec.Decrypt(context.Background(), testDest, old)
	require.ErrorIs(t, err, encryption.ErrExpired)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "beyond the maximum age of 48h0m0s")

	defaults := f.newDecrypter(t, encryption.DecrypterConfig{})
	require.NoError(t, defaults.Decrypt(context.Background(), testDest, seal(t, f, `{"n":3}`)))
	replay := seal(t, f, `{"n":4}`)
	f.clock.Advance(encryption.DefaultMaxAge + time.Minute)
	require.ErrorIs(t, defaults.Decrypt(context.Background(), testDest, replay), encryption.ErrExpired)
}

// sealVersion1 encrypts payload as a release writing version 1 headers did:
// the header alone is the additional data.
func sealVersion1(t *testing.T, f *fixture, payload string) *message.Message {
	t.Helper()
	ec := encryption.EncryptionContext{App: "sourceflow", Type: testType, Destination: testDest}
	out, err := f.kms.GenerateDataKey(context.Background(), &kms.GenerateDataKeyInput{
		KeyId: aws.String(testAlias), KeySpec: "AES_256", EncryptionContext: ec.Map(),
	})
	require.NoError(t, err)
	h := encryption.Header{Version: encryption.HeaderVersion1, KeyID: f.keyID, WrappedKey: out.CiphertextBlob,
		Nonce: bytes.Repeat([]byte{1}, 12), Context: ec}
	aad, err := h.MarshalBinary()
	require.NoError(t, err)
	msg := envelopeMsg(f, "")
	msg.Payload = []byte(base64.StdEncoding.EncodeToString(newGCM(t, out.Plaintext).Seal(nil, h.Nonce, []byte(payload), aad)))
	msg.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(aad))
	return msg
}
