package encryption_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
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

// sealDated encrypts a message dated at (metadata sourceflow.MetaOccurredAt).
func sealDated(t *testing.T, f *fixture, at time.Time) *message.Message {
	t.Helper()
	m := envelopeMsg(f, `{"amount":7}`)
	m.Metadata.Set(sourceflow.MetaOccurredAt, at.UTC().Format(time.RFC3339Nano))
	out, err := f.enc.Encrypt(context.Background(), testDest, m)
	require.NoError(t, err)
	return out
}

// A message dated ahead of the consumer's clock would stay acceptable for
// MaxAge after that date, past the idempotency records of its first
// delivery, so one dated further ahead than MaxClockSkew is refused.
func TestMessagesDatedAheadOfTheClockAreRefused(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{MaxAge: 48 * time.Hour})
	now := f.clock.Now()

	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, sealDated(t, f, now.Add(time.Minute))),
		"a producer's clock a minute fast is within DefaultMaxClockSkew")

	ahead := sealDated(t, f, now.Add(365*24*time.Hour))
	err := f.dec.Decrypt(context.Background(), testDest, ahead)
	require.ErrorIs(t, err, encryption.ErrExpired)
	require.ErrorIs(t, err, encryption.ErrDecrypt)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "in the future, beyond the allowed clock skew of 5m0s")
	assert.NotEmpty(t, ahead.Metadata.Get(sourceflow.MetaEncryption), "the message is unchanged")

	lenient := f.newDecrypter(t, encryption.DecrypterConfig{MaxClockSkew: time.Hour})
	require.NoError(t, lenient.Decrypt(context.Background(), testDest, sealDated(t, f, now.Add(30*time.Minute))))
	require.ErrorIs(t, lenient.Decrypt(context.Background(), testDest, sealDated(t, f, now.Add(2*time.Hour))), encryption.ErrExpired)
}

// The Encrypter authenticates an occurred-at time with every version 2
// message; one without it was not written by an Encrypter and its age
// cannot be checked.
func TestVersion2MessagesWithoutAnOccurredAtAreRefused(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := sealVersion2Undated(t, f, `{"amount":7}`)
	err := f.dec.Decrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrExpired)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "carries no occurred-at time")
}

// sealVersion2Undated encrypts payload with a version 2 header and an
// envelope without an occurred-at time, which no Encrypter writes: the
// additional data is the header and the length-prefixed envelope values
// (message id, entity, sequence, type, occurred-at, correlation, causation,
// replay flag).
func sealVersion2Undated(t *testing.T, f *fixture, payload string) *message.Message {
	t.Helper()
	ec := encryption.EncryptionContext{App: "sourceflow", Type: testType, Destination: testDest}
	dk, err := f.kms.GenerateDataKey(context.Background(), &kms.GenerateDataKeyInput{
		KeyId: aws.String(testAlias), KeySpec: "AES_256", EncryptionContext: ec.Map(),
	})
	require.NoError(t, err)
	h := encryption.Header{Version: encryption.HeaderVersion2, KeyID: f.keyID, WrappedKey: dk.CiphertextBlob,
		Nonce: bytes.Repeat([]byte{2}, 12), Context: ec}
	header, err := h.MarshalBinary()
	require.NoError(t, err)
	msg := envelopeMsg(f, "")
	delete(msg.Metadata, sourceflow.MetaOccurredAt)
	aad := bytes.Clone(header)
	for _, k := range []string{
		sourceflow.MetaMessageID, sourceflow.MetaEntityID, sourceflow.MetaSequence, sourceflow.MetaType,
		sourceflow.MetaOccurredAt, sourceflow.MetaCorrelationID, sourceflow.MetaCausationID, sourceflow.MetaReplay,
	} {
		aad = binary.AppendUvarint(aad, uint64(len(msg.Metadata[k])))
		aad = append(aad, msg.Metadata[k]...)
	}
	block, err := aes.NewCipher(dk.Plaintext)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	msg.Payload = []byte(base64.StdEncoding.EncodeToString(gcm.Seal(nil, h.Nonce, []byte(payload), aad)))
	msg.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(header))
	return msg
}
