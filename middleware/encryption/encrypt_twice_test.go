package encryption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A message that already carries an encryption header (published through
// two encrypting decorators, or a consumed message sent on before it was
// decrypted) is refused: encrypting it again would overwrite the header its
// payload needs, and the receiver would decrypt the outer layer only and
// hand the handler ciphertext, with the inner header lost for good.
func TestEncryptRefusesAMessageThatIsAlreadyEncryptedOrSigned(t *testing.T) {
	for _, signOnly := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: signOnly}, encryption.DecrypterConfig{Accept: acceptFor(signOnly)})
		once := f.encrypt(t, []byte(`{"amount":7}`))
		header := once.Metadata.Get(sourceflow.MetaEncryption)

		_, err := f.enc.Encrypt(context.Background(), testDest, once)
		require.ErrorIs(t, err, encryption.ErrAlreadyEncrypted, "sign only: %v", signOnly)
		require.ErrorIs(t, err, encryption.ErrEncrypt)
		assert.True(t, sourceflow.IsPermanent(err), "no retry can cure it")
		assert.Equal(t, header, once.Metadata.Get(sourceflow.MetaEncryption), "the message keeps its header")
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, once))
		assert.JSONEq(t, `{"amount":7}`, string(once.Payload))
	}
}
