package encryption_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A message refused for its key carries a *KeyNotAllowedError naming the
// key and KeyIDs, so that a caller filling KeyIDs from a setting of its
// own can word the refusal with it. The text says what to do in the words
// of both ways to configure a decrypter: on its own (DecrypterConfig) and
// on awsbus (EncryptionConfig, Config.KMSKeyID).
func TestDecrypter_ARefusedKeyIsAKeyNotAllowedError(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	other := encryptiontest.ARN(f.kms.CreateKey())
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{other}})
	keyARN := encryptiontest.ARN(f.keyID)
	for _, tc := range []struct {
		header string
		want   encryption.KeyNotAllowedError
		text   string
	}{
		{keyARN, encryption.KeyNotAllowedError{KeyID: keyARN, KeyIDs: []string{other}},
			`the data key was wrapped under "` + keyARN + `", a key this service does not accept (it accepts ` + other + `); ` +
				`services that exchange messages must accept each other's key: list the sender's key in ` +
				`DecrypterConfig.KeyIDs (on awsbus: EncryptionConfig.Decrypter.KeyIDs), ` +
				`or have them share one key (awsbus.Config.KMSKeyID)`},
		{"alias/forged\n", encryption.KeyNotAllowedError{KeyID: "alias/forged\n", NotKeyARN: true, KeyIDs: []string{other}},
			`the header names "alias/forged\n", not a key ARN, so it cannot be checked against the keys this service accepts (` + other + `)`},
	} {
		err := dec.Decrypt(context.Background(), testDest, withHeaderKeyID(t, f.encrypt(t, []byte("ok")), tc.header))

		refused, ok := errors.AsType[*encryption.KeyNotAllowedError](err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, tc.want, *refused)
		require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
		assert.True(t, sourceflow.IsPermanent(err))
		assert.Contains(t, err.Error(), "KMS key is not one the decrypter accepts: "+tc.text)
	}
}
