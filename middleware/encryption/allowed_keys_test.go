package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A producer encrypting or signing under a key of its own, which the
// consumer's role may also decrypt with, is refused when KeyIDs names the
// consumer's keys.
func TestDecrypter_RefusesADataKeyOfAnotherKey(t *testing.T) {
	for name, signOnly := range map[string]bool{"encrypted": false, "signed": true} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{SignOnly: signOnly}, encryption.DecrypterConfig{})
			own := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			forger := f.kms.CreateKey()
			fe, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: forger, SignOnly: signOnly, Clock: f.clock})
			require.NoError(t, err)
			forged, err := fe.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{"refund":1000}`)))
			require.NoError(t, err)

			err = own.Decrypt(context.Background(), testDest, forged)

			require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
			assert.True(t, sourceflow.IsPermanent(err))
			require.NoError(t, own.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok"))), "the allowed key still works")
			require.NoError(t, f.dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok"))), "without KeyIDs any key is accepted")
		})
	}
}

// A key rotated by moving its alias is accepted once the alias is resolved
// again, which a message under an unknown key triggers at most once a
// second.
func TestDecrypter_FollowsAnAllowedAliasToItsNewKey(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
	require.NoError(t, dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("before"))))
	rotated := f.kms.CreateKey()
	f.kms.SetAlias(testAlias, rotated)
	f.clock.Advance(time.Second)
	enc, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: testAlias, Clock: f.clock})
	require.NoError(t, err)
	msg, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("after")))
	require.NoError(t, err)

	require.NoError(t, dec.Decrypt(context.Background(), testDest, msg))
	assert.Equal(t, "after", string(msg.Payload))
}

func TestDecrypterConfig_RefusesAnEmptyKeyID(t *testing.T) {
	_, err := encryption.NewDecrypter(encryptiontest.New(), encryption.DecrypterConfig{KeyIDs: []string{""}})
	require.ErrorContains(t, err, "KeyIDs")
}
