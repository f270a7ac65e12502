package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A wrapped data key KMS refused as tampered is refused again from memory,
// without a KMS call, until KeyCacheTTL has passed: copies of one forged
// header under fresh message ids cost one KMS Decrypt per TTL.
func TestDecrypt_AForgedWrappedKeyIsRefusedFromMemoryUntilTheTTL(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	genuine := f.encrypt(t, []byte(`{"n":1}`))
	forgedHeader := forgeWrappedKey(t, genuine)
	forge := func() error {
		m := genuine.Copy()
		m.Metadata.Set(sourceflow.MetaMessageID, watermill.NewUUID())
		m.Metadata.Set(sourceflow.MetaEncryption, forgedHeader)
		return f.dec.Decrypt(context.Background(), testDest, m)
	}
	before := f.kms.Calls().Decrypt

	for range 10 {
		err := forge()
		require.ErrorIs(t, err, encryption.ErrTampered)
		require.True(t, sourceflow.IsPermanent(err))
	}
	assert.Equal(t, 1, f.kms.Calls().Decrypt-before, "refused once by KMS, then from memory")

	f.clock.Advance(5*time.Minute + time.Second) // the default KeyCacheTTL
	require.ErrorIs(t, forge(), encryption.ErrTampered)
	assert.Equal(t, 2, f.kms.Calls().Decrypt-before, "asked again once the memory expired")
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, genuine), "the genuine message still decrypts")
}

// A message outside the age window is refused before its data key is
// unwrapped: it costs no KMS call.
func TestDecrypt_AnExpiredMessageCostsNoKMSCall(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	old := f.encrypt(t, []byte(`{"n":1}`))
	f.clock.Advance(encryption.DefaultMaxAge + time.Minute)
	before := f.kms.Calls().Decrypt

	err := f.dec.Decrypt(context.Background(), testDest, old)

	require.ErrorIs(t, err, encryption.ErrExpired)
	assert.Equal(t, 0, f.kms.Calls().Decrypt-before)
}
