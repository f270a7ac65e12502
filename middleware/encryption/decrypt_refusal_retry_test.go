package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A message whose key KMS Decrypt refuses within the grace hints when to
// try it again (sourceflow.RetryAfter): a quarter of the grace, so that a
// transport's default deliveries span it, or what is left of the grace,
// rounded up to a second; past the grace it is permanent, with no hint.
func TestDecrypt_ARefusalInTheGraceHintsWhenToRetry(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := f.encrypt(t, []byte(`{"n":1}`))
	f.kms.SetDisabled(f.keyID, true)
	hint := func() (time.Duration, bool) {
		err := f.dec.Decrypt(context.Background(), testDest, msg)
		require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
		return sourceflow.RetryAfterOf(err)
	}

	d, ok := hint()
	require.True(t, ok, "a refusal in the grace hints")
	assert.Equal(t, encryption.KeyRefusalGrace/4, d)
	f.clock.Advance(encryption.KeyRefusalGrace - 90*time.Second + 300*time.Millisecond) // 89.7s left
	d, _ = hint()
	assert.Equal(t, 90*time.Second, d, "what is left of the grace, rounded up to a second")
	f.clock.Advance(89700 * time.Millisecond)
	_, ok = hint()
	assert.False(t, ok, "past the grace the message is dead-lettered: no hint")
}
