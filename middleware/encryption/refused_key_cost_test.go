package encryption_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A sender without
// any KMS permission copies one genuine header, replaces its wrapped data
// key with junk and sends it again and again under fresh message ids (so
// idempotency, which runs first, lets each through). With KeyIDs set, as
// awsbus.NewEncryption sets it, the header names the allowed key, so every
// copy reaches KMS Decrypt, which refuses the same blob under the same
// context every time. KMS's answer for that blob cannot change: one refusal
// is remembered (keyed as the data-key cache is), so the sender cannot
// spend the consumer's KMS request quota, shared by the account, at
// the rate it can write to the queue.
func TestAForgedWrappedKeyCostsOneKMSDecryptInAll(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{encryptiontest.ARN(f.keyID)}})
	genuine := f.encrypt(t, []byte(`{"n":1}`))
	forgedHeader := forgeWrappedKey(t, genuine)
	before := f.kms.Calls().Decrypt

	const forged = 100
	for range forged {
		m := genuine.Copy()
		m.UUID = watermill.NewUUID()
		m.Metadata.Set(sourceflow.MetaMessageID, watermill.NewUUID())
		m.Metadata.Set(sourceflow.MetaEncryption, forgedHeader)
		err := dec.Decrypt(context.Background(), testDest, m)
		require.ErrorIs(t, err, encryption.ErrTampered)
		require.True(t, sourceflow.IsPermanent(err))
	}

	calls := f.kms.Calls().Decrypt - before
	t.Logf("KMS Decrypt calls for %d copies of one forged header: %d", forged, calls)
	assert.LessOrEqual(t, calls, 2, "one forged blob refused by KMS should not be sent to KMS again")
}

// forgeWrappedKey returns the header of genuine with its wrapped data key
// garbled: junk KMS refuses as not a ciphertext.
func forgeWrappedKey(t *testing.T, genuine *message.Message) string {
	t.Helper()
	forged := genuine.Copy()
	rewriteHeader(t, forged, func(h *encryption.Header) {
		for i := range h.WrappedKey {
			h.WrappedKey[i] ^= 0x5a
		}
	})
	return forged.Metadata.Get(sourceflow.MetaEncryption)
}
