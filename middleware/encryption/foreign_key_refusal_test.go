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

// A Decrypter without DecrypterConfig.KeyIDs (the default outside
// awsbus.NewEncryption, e.g. on sqlbus or a generic Pub/Sub) passes a
// sender's wrapped key to KMS Decrypt whatever key wrapped it. A sender who
// wraps its data key under a key of its own that the consumer may not use,
// with a header naming the service's own key, gets AccessDenied: the
// Decrypter checks the header's key with a Decrypt pinned to it, whose
// IncorrectKey shows the header lies, and refuses the message for good
// (ErrTampered) instead of retrying it, one KMS call per delivery and the
// messages behind it waiting, for KeyRefusalGrace.
func TestAForeignKeyMessageIsNotRetriedForTheGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	m := sealForeign(t, f) // the consumer's role may not use the sender's key
	// informational without KeyIDs: name the service's key
	withHeaderKeyID(t, m, encryptiontest.ARN(f.keyID))
	before := f.kms.Calls().Decrypt

	const deliveries = 8
	var last error
	for range deliveries {
		last = f.dec.Decrypt(context.Background(), testDest, m.Copy())
		require.Error(t, last)
		if sourceflow.IsPermanent(last) {
			break
		}
	}

	t.Logf("last error: %v; KMS Decrypt calls: %d", last, f.kms.Calls().Decrypt-before)
	assert.True(t, sourceflow.IsPermanent(last), "a message wrapped under a key the service does not use should be dead-lettered at once")
	assert.ErrorIs(t, last, encryption.ErrTampered, "the header names a key that did not wrap the data key")
}
