package encryption_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// sealUnder returns a message of typ for testDest encrypted with a new
// key of f's KMS, and that key.
func (f *fixture) sealUnder(t *testing.T, typ string) (*message.Message, string) {
	t.Helper()
	key := f.kms.CreateKey()
	cfg := encryption.EncrypterConfig{KeyID: key, Clock: f.clock}
	fastRetry(&cfg.Retry)
	enc, err := encryption.NewEncrypter(f.kms, cfg)
	require.NoError(t, err)
	m, err := enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
	require.NoError(t, err)
	return m, key
}

// A Decrypter without KeyIDs times each key's refusals apart: the messages
// of another key served under the same encryption context (a producer
// moved to a new key) do not restart a disabled key's run, so its
// messages are dead-lettered after the grace rather than retried for ever.
func TestDecrypt_AnotherKeyServedDoesNotRestartADisabledKeysRun(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	old := f.encrypt(t, []byte("{}"))
	f.kms.SetDisabled(f.keyID, true)
	require.False(t, sourceflow.IsPermanent(f.dec.Decrypt(context.Background(), testDest, old)))
	for range 3 {
		f.clock.Advance(encryption.KeyRefusalGrace / 3)
		moved, _ := f.sealUnder(t, testType)
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, moved), "the new key serves")
	}
	err := f.dec.Decrypt(context.Background(), testDest, old)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "the old key was refused for the grace: %v", err)
}

// A sender's messages under a key of its own that is disabled do not
// spend the grace of the consumer's own key: once that key is disabled,
// its messages are retried for the grace of their own.
func TestDecrypt_AForeignDisabledKeyDoesNotSpendAnotherKeysGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	own := f.encrypt(t, []byte("{}"))
	foreign, key := f.sealUnder(t, "random.Type")
	f.kms.SetDisabled(key, true)
	for range 4 {
		assert.Error(t, f.dec.Decrypt(context.Background(), testDest, foreign))
		f.clock.Advance(encryption.KeyRefusalGrace / 3)
	}
	f.kms.SetDisabled(f.keyID, true)
	err := f.dec.Decrypt(context.Background(), testDest, own)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "the own key's first refusal: %v", err)
}
