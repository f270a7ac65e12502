package encryption_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// decryptRefusingKMS is the fake KMS whose Decrypt answers with code
// while code is set: a key in a state the fake does not model.
type decryptRefusingKMS struct {
	*encryptiontest.KMS
	code *string
}

func (k decryptRefusingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	if *k.code != "" {
		return nil, &smithy.GenericAPIError{Code: *k.code, Message: "refused by the fake"}
	}
	return k.KMS.Decrypt(ctx, in, opts...)
}

// A consumer's backlog under a key an operator disabled, scheduled for
// deletion or denied is not dead-lettered on its first receive: each
// message is tried again while the key is refused for less than
// KeyRefusalGrace, dead-lettered after, saying since when, and decrypted
// once the key serves again.
func TestDecrypt_AnUndoableKeyRefusalIsRetriedUntilTheGrace(t *testing.T) {
	for name, refuse := range map[string]func(f *fixture, code *string, on bool){
		"disabled": func(f *fixture, _ *string, on bool) { f.kms.SetDisabled(f.keyID, on) },
		"denied":   func(f *fixture, _ *string, on bool) { f.kms.SetDenied(f.keyID, on) },
		"pending deletion": func(_ *fixture, code *string, on bool) {
			*code = map[bool]string{true: "KMSInvalidStateException"}[on]
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			var code string
			backlog := make([]*message.Message, 30)
			for i := range backlog {
				backlog[i] = f.encrypt(t, []byte(fmt.Sprintf(`{"n":%d}`, i)))
			}
			refuse(f, &code, true)
			dec := f.newDecrypterOn(t, decryptRefusingKMS{KMS: f.kms, code: &code})
			for _, m := range backlog {
				err := dec.Decrypt(context.Background(), testDest, m)
				require.ErrorIs(t, err, encryption.ErrDecrypt)
				require.False(t, sourceflow.IsPermanent(err), "retried within the grace: %v", err)
				assert.Contains(t, err.Error(), "key refused since 2023-11-14T22:13:20Z, retried for up to 15m0s")
			}
			f.clock.Advance(encryption.KeyRefusalGrace - time.Second)
			assert.False(t, sourceflow.IsPermanent(dec.Decrypt(context.Background(), testDest, backlog[0])))
			f.clock.Advance(time.Second)
			err := dec.Decrypt(context.Background(), testDest, backlog[0])
			assert.True(t, sourceflow.IsPermanent(err), "past the grace")
			assert.Contains(t, err.Error(), "key refused since 2023-11-14T22:13:20Z, past the grace of 15m0s")

			refuse(f, &code, false)
			for _, m := range backlog[1:] {
				require.NoError(t, dec.Decrypt(context.Background(), testDest, m), "the key serves again")
			}
		})
	}
}

// What no operator can undo is still permanent on the first receive: a key
// that does not exist, a malformed key ARN, a key not for decryption, a
// ciphertext KMS rejects, and a key DecrypterConfig.KeyIDs does not name.
func TestDecrypt_ARefusalNoOperatorCanUndoIsPermanentAtOnce(t *testing.T) {
	for _, code := range []string{"NotFoundException", "InvalidArnException", "InvalidKeyUsageException", "InvalidCiphertextException"} {
		f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
		m := f.encrypt(t, []byte("{}"))
		dec := f.newDecrypterOn(t, decryptRefusingKMS{KMS: f.kms, code: &code})
		err := dec.Decrypt(context.Background(), testDest, m)
		require.ErrorIs(t, err, encryption.ErrDecrypt, code)
		assert.True(t, sourceflow.IsPermanent(err), code)
	}

	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	m := f.encrypt(t, []byte("{}"))
	other := f.kms.CreateKey()
	f.kms.SetDenied(f.keyID, true)
	err := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{encryptiontest.ARN(other)}}).
		Decrypt(context.Background(), testDest, m)
	require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
	assert.True(t, sourceflow.IsPermanent(err))
}

// A key disabled whole fails another encryption context's first refusal
// once it has been unavailable for the grace without a Decrypt call that
// succeeded, as on the produce side; a denial is judged per context only.
func TestDecrypt_AKeyUnavailableWholeFailsEveryContextAfterOneGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	first := f.encrypt(t, []byte("{}"))
	other, err := f.enc.Encrypt(context.Background(), "payments", newMsg(testType, []byte("{}")))
	require.NoError(t, err)
	f.kms.SetDisabled(f.keyID, true)
	require.False(t, sourceflow.IsPermanent(f.dec.Decrypt(context.Background(), testDest, first)))
	f.clock.Advance(encryption.KeyRefusalGrace)
	err = f.dec.Decrypt(context.Background(), "payments", other)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "unavailable whole for the grace: another context's first refusal")

	f.kms.SetDisabled(f.keyID, false)
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, first))
	f.kms.SetDisabled(f.keyID, true)
	assert.False(t, sourceflow.IsPermanent(f.dec.Decrypt(context.Background(), "payments", other)),
		"a Decrypt call that succeeded ends the run")
}

// A Decrypter's run of refusals under a context ends after a pause of
// KeyRefusalGrace without one: redeliveries come far more often (awsbus
// backs a message off 5 minutes at most), so such a pause means that the
// key served the context's messages meanwhile, on another instance or from
// the cache. A key disabled again after it has a grace again; before, the
// run kept from the first disabling made the first refusal permanent.
func TestDecrypt_ARefusalAfterAPauseOfTheGraceHasAGraceAgain(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	first, second := f.encrypt(t, []byte(`{"n":1}`)), f.encrypt(t, []byte(`{"n":2}`))
	dec := f.newDecrypterOn(t, f.kms)

	f.kms.SetDisabled(f.keyID, true)
	require.False(t, sourceflow.IsPermanent(dec.Decrypt(context.Background(), testDest, first)))
	f.clock.Advance(5 * time.Minute)
	require.False(t, sourceflow.IsPermanent(dec.Decrypt(context.Background(), testDest, first)))

	f.kms.SetDisabled(f.keyID, false) // another instance handles the message
	f.clock.Advance(encryption.KeyRefusalGrace + time.Minute)
	f.kms.SetDisabled(f.keyID, true)

	err := dec.Decrypt(context.Background(), testDest, second)
	require.ErrorIs(t, err, encryption.ErrDecrypt)
	assert.False(t, sourceflow.IsPermanent(err), "a new run has its grace: %v", err)
}
