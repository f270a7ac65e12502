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

// sealForeign encrypts a message under a key of the sender's own, which
// f's consumer may not use; its header names that key.
func sealForeign(t *testing.T, f *fixture) *message.Message {
	t.Helper()
	foreign := f.kms.CreateKey()
	sender, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: foreign, Clock: f.clock})
	require.NoError(t, err)
	m, err := sender.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{"n":1}`)))
	require.NoError(t, err)
	f.kms.SetDenied(foreign, true)
	return m
}

// Without KeyIDs, a message whose header names a key that never unwrapped a
// data key on this Decrypter, while the service's key did, is the sender's:
// KMS's denial of it is dead-lettered at once, not retried for the grace. A
// Decrypter that has unwrapped nothing yet cannot tell it from a revoked
// grant and keeps the grace.
func TestDecrypt_ADeniedKeyThatNeverServedIsPermanent(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	foreign := sealForeign(t, f)

	err := f.dec.Decrypt(context.Background(), testDest, foreign.Copy())
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.False(t, sourceflow.IsPermanent(err), "nothing unwrapped yet: the grace holds: %v", err)

	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{"own":1}`))))
	err = f.dec.Decrypt(context.Background(), testDest, foreign.Copy())
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.True(t, sourceflow.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "which never unwrapped a data key here while others did")
}

// A denial of the service's own key, which unwrapped data keys here before
// (a revoked grant), keeps the grace: the operator may grant it again.
func TestDecrypt_ADeniedKeyThatServedKeepsTheGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{"own":1}`))))
	other, err := f.enc.Encrypt(context.Background(), testDest, newMsg("orders.CancelOrder", []byte(`{"own":2}`)))
	require.NoError(t, err) // another type: another data key, not in the Decrypter's cache
	f.kms.SetDenied(f.keyID, true)

	err = f.dec.Decrypt(context.Background(), testDest, other)
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.False(t, sourceflow.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "retried for up to 15m0s")
}
