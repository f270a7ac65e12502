package encryption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// KeyIDs that are all key ARNs have nothing to resolve, so no resolution
// could allow a key they do not name: every message under another key is
// refused as permanent, the second within a second of the first too, and
// none says it is tried again later.
func TestDecrypter_KeyARNsRefuseAnotherKeyPermanentlyEveryTime(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{encryptiontest.ARN(f.keyID)}})
	fe, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: f.kms.CreateKey(), Clock: f.clock})
	require.NoError(t, err)

	for i := range 2 {
		msg, err := fe.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{"refund":1000}`)))
		require.NoError(t, err)

		err = dec.Decrypt(context.Background(), testDest, msg)

		require.ErrorIs(t, err, encryption.ErrKeyNotAllowed, "message %d", i+1)
		assert.True(t, sourceflow.IsPermanent(err), "message %d: %v", i+1, err)
		assert.NotContains(t, err.Error(), "tried again later", "message %d", i+1)
	}
	assert.Zero(t, f.kms.Calls().DescribeKey, "key ARNs are not resolved")
}

// IsKeyARN takes for a key ARN exactly what the Decrypter does not resolve:
// a key ARN, not a key id, alias, alias ARN or an ARN with more after the
// key id.
func TestIsKeyARN(t *testing.T) {
	for id, want := range map[string]bool{
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd":     true,
		"arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1a2b": true,
		"1234abcd":     false,
		"mrk-1a2b":     false,
		"alias/orders": false,
		"arn:aws:kms:us-east-1:111122223333:alias/orders":       false,
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd/":      false,
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd:extra": false,
		"arn:aws:kms::111122223333:key/1234abcd":                false,
		"arn:aws:kms:us-east-1:111122223333:key/":               false,
		"arn:aws:sqs:us-east-1:111122223333:key/1234abcd":       false,
	} {
		assert.Equal(t, want, encryption.IsKeyARN(id), id)
	}
}
