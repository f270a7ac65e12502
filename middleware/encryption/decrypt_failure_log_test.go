package encryption_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A message that cannot be decrypted is logged with its UUID and type,
// which its sender chose, as sourceflow.IDText shows them: cut when
// oversize, escaped when they hold characters a terminal or a log line
// acts on.
func TestDecrypt_LogsTheSendersUUIDAndTypeBounded(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	for id, want := range map[string]string{
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		logs := watermill.NewCaptureLogger()
		dec := f.newDecrypter(t, encryption.DecrypterConfig{Logger: logs})
		plain := message.NewMessage(id, []byte("plaintext"))
		plain.Metadata.Set(sourceflow.MetaType, id)

		require.ErrorIs(t, dec.Decrypt(context.Background(), testDest, plain), encryption.ErrNotEncrypted)

		logged := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, logged, 1)
		assert.Equal(t, want, logged[0].Fields["message_id"], "%.20q", id)
		assert.Equal(t, want, logged[0].Fields["type"], "%.20q", id)
	}
}
