package encryption_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// Check's error for a key refused under a message type shows that type,
// which the message's sender chose, as sourceflow.IDText does: escaped and
// cut, not as it came.
func TestCheck_ShowsTheRefusedTypeBounded(t *testing.T) {
	typ := "orders.\x1b[2J" + strings.Repeat("t", 1000)
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	enc, err := encryption.NewEncrypter(typeRefusingKMS{KMS: f.kms, typ: typ},
		encryption.EncrypterConfig{KeyID: testAlias, Retry: fastRetryConfig()})
	require.NoError(t, err)
	_, err = enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
	require.ErrorIs(t, err, encryption.ErrAccessDenied)

	err = enc.Check(context.Background())

	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.Contains(t, err.Error(), `destination "orders", type `+sourceflow.IDText(typ)+": ")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Less(t, len(err.Error()), 700)
}
