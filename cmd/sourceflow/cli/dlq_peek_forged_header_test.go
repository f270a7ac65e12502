package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// withHeaderKeyID returns the encryption header value with its key id
// replaced by keyID.
func withHeaderKeyID(t *testing.T, value, keyID string) string {
	t.Helper()
	h, _, err := encryption.ParseHeader(value)
	require.NoError(t, err)
	h.KeyID = keyID
	value, err = h.Encode()
	require.NoError(t, err)
	return value
}

// A payload refused for the key its header names shows that name as the
// sender wrote it, even when it holds the library's wording for the keys
// it accepts: only the wording of the refusal names --key-id.
func TestDLQPeek_ARefusedHeaderKeyIsShownAsItCame(t *testing.T) {
	for _, forged := range []string{"DecrypterConfig.KeyIDs", "arn:aws:kms:us-east-1:111122223333:key/DecrypterConfig.KeyIDs"} {
		t.Run(forged, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
				body: `{"card":"secret"}`, encryptFor: "orders.fifo", headerKeyID: forged})
			keyARN := encryptiontest.ARN(e.keyID)

			out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", keyARN)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, `"`+forged+`"`, out)
			assert.Contains(t, out, "--key-id ("+keyARN+")")
			assert.NotContains(t, out, `"--key-id"`)
			assert.NotContains(t, out, "key/--key-id")
		})
	}
}
