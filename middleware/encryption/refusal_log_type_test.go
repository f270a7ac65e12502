package encryption_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// The Encrypter's refusal log shows the message type, which the message's
// sender chose, as sourceflow.IDText shows it: cut when oversize, escaped
// when it holds characters a terminal or a log line acts on.
func TestEncrypt_TheRefusalLogShowsTheTypeBounded(t *testing.T) {
	for typ, want := range map[string]string{
		strings.Repeat("t", 1000):      strings.Repeat("t", 256) + "…(1000 bytes)",
		"t\nlevel=INFO msg=forged":     `t\nlevel=INFO msg=forged`,
		"orders.CreateOrder\x1b]0;own": `orders.CreateOrder\x1b]0;own`,
	} {
		logs := watermill.NewCaptureLogger()
		f := newFixture(t, encryption.EncrypterConfig{Logger: logs}, encryption.DecrypterConfig{})
		f.kms.SetDenied(f.keyID, true)

		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte(`{}`)))

		require.ErrorIs(t, err, encryption.ErrAccessDenied)
		logged := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, logged, 1)
		assert.Contains(t, logged[0].Msg, "KMS refuses the key")
		assert.Equal(t, want, logged[0].Fields["type"], "%.20q", typ)
	}
}

// The debug line of a generated data key shows the message type bounded
// too.
func TestEncrypt_TheDataKeyLogShowsTheTypeBounded(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	f := newFixture(t, encryption.EncrypterConfig{Logger: logs}, encryption.DecrypterConfig{})

	_, err := f.enc.Encrypt(context.Background(), testDest, newMsg("t\nlevel=INFO msg=forged", []byte(`{}`)))

	require.NoError(t, err)
	logged := logs.Captured()[watermill.DebugLogLevel]
	require.Len(t, logged, 1)
	assert.Equal(t, "Generated data key", logged[0].Msg)
	assert.Equal(t, `t\nlevel=INFO msg=forged`, logged[0].Fields["type"])
}
