package encryption_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// envelopeKeysBefore are the keys a version 2 header authenticated before
// the payload version was: what a Decrypter of that release computes.
var envelopeKeysBefore = []string{
	sourceflow.MetaMessageID, sourceflow.MetaEntityID, sourceflow.MetaSequence, sourceflow.MetaType,
	sourceflow.MetaOccurredAt, sourceflow.MetaCorrelationID, sourceflow.MetaCausationID, sourceflow.MetaReplay,
}

// aadBefore is the additional data of msg as that release computes it: the
// header without its MAC and the envelope keys, each length-prefixed.
func aadBefore(t *testing.T, msg *message.Message) (encryption.Header, []byte) {
	t.Helper()
	h, aad, err := encryption.ParseHeader(msg.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	for _, k := range envelopeKeysBefore {
		aad = binary.AppendUvarint(aad, uint64(len(msg.Metadata[k])))
		aad = append(aad, msg.Metadata[k]...)
	}
	return h, aad
}

// TestAMessageWithoutPayloadVersionIsAuthenticatedAsBefore opens what a
// Decrypter that does not know the payload version flag would open: a
// message of version 0 from this Encrypter, encrypted or signed, verifies
// under the additional data computed the earlier way.
func TestAMessageWithoutPayloadVersionIsAuthenticatedAsBefore(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		msg := seal(t, f, `{"amount":7}`)
		msg.Metadata.Set(sourceflow.MetaHops, "3") // not authenticated, then as now
		h, aad := aadBefore(t, msg)
		key := dataKeyOf(t, f, h)
		if sign {
			derive := hmac.New(sha256.New, key)
			derive.Write([]byte("sourceflow message signature v2"))
			mac := hmac.New(sha256.New, derive.Sum(nil))
			mac.Write(aad)
			mac.Write(msg.Payload)
			assert.True(t, hmac.Equal(mac.Sum(nil), h.MAC), "the signature verifies the earlier way")
			continue
		}
		sealed, err := base64.StdEncoding.DecodeString(string(msg.Payload))
		require.NoError(t, err)
		plain, err := newGCM(t, key).Open(nil, h.Nonce, sealed, aad)
		require.NoError(t, err, "the ciphertext opens the earlier way")
		assert.Equal(t, `{"amount":7}`, string(plain))
	}
}

// TestAMessageWrittenTheEarlierWayStillDecrypts: a version 2 message
// without the flag, sealed the earlier way (as a sender of that release
// writes it), decrypts.
func TestAMessageWrittenTheEarlierWayStillDecrypts(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	template := seal(t, f, "")
	h, _, err := encryption.ParseHeader(template.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	gcm := newGCM(t, dataKeyOf(t, f, h))

	msg := envelopeMsg(f, "")
	h.Nonce = []byte("fresh nonce!")
	raw := append([]byte{encryption.HeaderVersion2, 0}, headerFields(h)...)
	msg.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(raw))
	_, aad := aadBefore(t, msg)
	msg.Payload = []byte(base64.StdEncoding.EncodeToString(gcm.Seal(nil, h.Nonce, []byte(`{"amount":7}`), aad)))

	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, msg))
	assert.Equal(t, `{"amount":7}`, string(msg.Payload))
}

// headerFields is the binary form of h after its version and flags,
// written field by field as the header format describes it.
func headerFields(h encryption.Header) []byte {
	var b []byte
	for _, field := range [][]byte{[]byte(h.KeyID), h.WrappedKey, nil, []byte(h.Context.App), []byte(h.Context.Type), []byte(h.Context.Destination)} {
		if field == nil {
			b = append(b, h.Nonce...)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(field)))
		b = append(b, field...)
	}
	return b
}

// dataKeyOf returns the plaintext data key that header h wraps.
func dataKeyOf(t *testing.T, f *fixture, h encryption.Header) []byte {
	t.Helper()
	out, err := f.kms.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: h.WrappedKey, EncryptionContext: h.Context.Map()})
	require.NoError(t, err)
	return out.Plaintext
}

// newGCM returns AES-256-GCM under key, as a header's data key is used.
func newGCM(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	return gcm
}
