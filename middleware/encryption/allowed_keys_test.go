package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
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
			f := newFixture(t, encryption.EncrypterConfig{SignOnly: signOnly}, encryption.DecrypterConfig{Accept: acceptFor(signOnly)})
			own := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}, Accept: acceptFor(signOnly)})
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
// second (one met sooner fails as transient); messages still under the
// previous key stay accepted.
func TestDecrypter_FollowsAnAllowedAliasToItsNewKey(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
	require.NoError(t, dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("before"))))
	late := f.encrypt(t, []byte("late"))
	f.kms.SetAlias(testAlias, f.kms.CreateKey())
	enc, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: testAlias, Clock: f.clock})
	require.NoError(t, err)
	encrypt := func(payload string) *message.Message {
		msg, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(payload)))
		require.NoError(t, err)
		return msg
	}

	err = dec.Decrypt(context.Background(), testDest, encrypt("too soon"))
	require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
	assert.False(t, sourceflow.IsPermanent(err), "resolved less than a second ago: tried again later")
	assert.ErrorIs(t, err, encryption.ErrKMS, "counted as a failure that may pass")
	assert.Contains(t, err.Error(), "(awsbus.Config.KMSKeyID); the message is tried again later, "+
		"as the allowed keys were resolved less than 1s ago", "one sentence")
	assert.NotContains(t, err.Error(), ") (", "one sentence")

	f.clock.Advance(time.Second)
	msg := encrypt("after")
	require.NoError(t, dec.Decrypt(context.Background(), testDest, msg))
	assert.Equal(t, "after", string(msg.Payload))
	require.NoError(t, dec.Decrypt(context.Background(), testDest, late), "a message under the previous key")
	previous, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: f.keyID, Clock: f.clock})
	require.NoError(t, err)
	old, err := previous.Encrypt(context.Background(), testDest, newMsg(testType, []byte("old")))
	require.NoError(t, err)
	require.NoError(t, dec.Decrypt(context.Background(), testDest, old), "a fresh data key under the previous key")
}

func TestDecrypterConfig_RefusesAnEmptyKeyID(t *testing.T) {
	_, err := encryption.NewDecrypter(encryptiontest.New(), encryption.DecrypterConfig{KeyIDs: []string{""}})
	require.ErrorContains(t, err, "KeyIDs")
}

// An allowed id that no longer resolves (an alias deleted after a rotation,
// a key the role may no longer describe) leaves the other allowed keys
// allowed, whether named by alias or by key ARN; awsbus.NewEncryption puts
// the transport's own key after the caller's KeyIDs, as here. A message
// under a key no resolvable id names is still refused, saying why.
func TestDecrypter_AnAllowedIDThatDoesNotResolveLeavesTheOthersAllowed(t *testing.T) {
	for name, current := range map[string]func(f *fixture) string{
		"alias": func(*fixture) string { return testAlias },
		"arn":   func(f *fixture) string { return encryptiontest.ARN(f.keyID) },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			dec := f.newDecrypter(t, encryption.DecrypterConfig{
				KeyIDs: []string{"alias/deleted-previous-key", current(f)},
			})
			for i := range 3 {
				err := dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok")))
				require.NoError(t, err, "message %d is under an allowed key", i)
				f.clock.Advance(2 * time.Second)
			}

			other, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: f.kms.CreateKey(), Clock: f.clock})
			require.NoError(t, err)
			foreign, err := other.Encrypt(context.Background(), testDest, newMsg(testType, []byte("no")))
			require.NoError(t, err)
			err = dec.Decrypt(context.Background(), testDest, foreign)
			require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
			assert.ErrorContains(t, err, "alias/deleted-previous-key")
			assert.True(t, sourceflow.IsPermanent(err))
		})
	}
}

// Resolving the allowed keys costs DescribeKey calls, which the Decrypter's
// Stats count with its other KMS calls.
func TestDecrypter_CountsTheDescribeKeyCallsOfItsAllowedKeys(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
	require.NoError(t, dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok"))))
	require.Equal(t, 1, f.kms.Calls().DescribeKey)
	assert.Equal(t, int64(1), dec.Stats().DescribeKeyCalls)
}

// withHeaderKeyID returns msg with the key its header names replaced, as a
// sender lying about its key would write it.
func withHeaderKeyID(t *testing.T, msg *message.Message, keyID string) *message.Message {
	t.Helper()
	h, _, err := encryption.ParseHeader(msg.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	h.KeyID = keyID
	value, err := h.Encode()
	require.NoError(t, err)
	msg.Metadata.Set(sourceflow.MetaEncryption, value)
	return msg
}

// A message whose header names a key KeyIDs does not allow, or names its
// key other than by key ARN (what an Encrypter writes), is refused before
// any KMS Decrypt call.
func TestDecrypter_RefusesADisallowedKeyBeforeCallingKMSDecrypt(t *testing.T) {
	for name, header := range map[string]func(f *fixture, forger string) string{
		"another key": func(_ *fixture, forger string) string { return encryptiontest.ARN(forger) },
		"an alias":    func(*fixture, string) string { return testAlias },
		"a key id":    func(f *fixture, _ string) string { return f.keyID },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			forger := f.kms.CreateKey()
			fe, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: forger, Clock: f.clock})
			require.NoError(t, err)
			forged, err := fe.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{"refund":1000}`)))
			require.NoError(t, err)

			err = dec.Decrypt(context.Background(), testDest, withHeaderKeyID(t, forged, header(f, forger)))

			require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
			assert.True(t, sourceflow.IsPermanent(err))
			assert.Zero(t, f.kms.Calls().Decrypt, "refused from the header, before KMS")
		})
	}
}

// With KeyIDs set, KMS Decrypt is pinned to the key the header names: a
// header that names an allowed key over a data key wrapped under another
// fails at KMS, which never unwraps that data key.
func TestDecrypter_PinsKMSDecryptToTheAllowedKeyTheHeaderNames(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
	require.NoError(t, dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok"))))
	assert.Equal(t, encryptiontest.Calls{Decrypt: 1, DecryptWithKeyID: 1, GenerateDataKey: 1, DescribeKey: 1}, f.kms.Calls())

	fe, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: f.kms.CreateKey(), Clock: f.clock})
	require.NoError(t, err)
	forged, err := fe.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{"refund":1000}`)))
	require.NoError(t, err)
	err = dec.Decrypt(context.Background(), testDest, withHeaderKeyID(t, forged, encryptiontest.ARN(f.keyID)))

	require.ErrorIs(t, err, encryption.ErrTampered, "KMS: the data key was not wrapped under the pinned key")
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Equal(t, 2, f.kms.Calls().DecryptWithKeyID)
	assert.Equal(t, 2, f.kms.Calls().Decrypt)
}

// The key a header names comes from the sender: a refusal quotes it, so a
// name with a line break or a terminal escape cannot forge log lines or
// drive the terminal of whoever reads the error or the dead letter.
func TestDecrypter_QuotesTheKeyAHeaderNamesInARefusal(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
	hostile := "arn:aws:kms:us-east-1:111122223333:key/x\x1b[2J\nlevel=INFO msg=forged"

	err := dec.Decrypt(context.Background(), testDest, withHeaderKeyID(t, f.encrypt(t, []byte("ok")), hostile))

	require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Contains(t, err.Error(), `key/x\x1b[2J\nlevel=INFO msg=forged"`)
}
