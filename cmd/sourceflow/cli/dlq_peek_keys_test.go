package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// peek --decrypt --key-id decrypts only data keys wrapped under the keys
// listed, and asks KMS about no other: a dead letter encrypted under
// another key is shown as encrypted, with no Decrypt call made.
func TestDLQPeek_DecryptKeyIDs(t *testing.T) {
	tests := []struct {
		name    string
		keyIDs  func(e *dlqEnv) []string
		want    string
		decrypt int // KMS Decrypt calls made
	}{
		{"the message's key", func(e *dlqEnv) []string { return []string{encryptiontest.ARN(e.keyID)} },
			`  payload     {"card":"secret"}` + "\n", 1},
		{"the message's key among others", func(e *dlqEnv) []string {
			return []string{encryptiontest.ARN(e.kms.CreateKey()), encryptiontest.ARN(e.keyID)}
		}, `  payload     {"card":"secret"}` + "\n", 1},
		{"another key", func(e *dlqEnv) []string { return []string{encryptiontest.ARN(e.kms.CreateKey())} },
			"cannot decrypt", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
				body: `{"card":"secret"}`, encryptFor: "orders.fifo"})
			args := []string{"dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt"}
			for _, id := range tt.keyIDs(e) {
				args = append(args, "--key-id", id)
			}
			before := e.kms.Calls().Decrypt

			out, errOut, code := e.run(t, args...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, tt.want)
			assert.Equal(t, tt.decrypt, e.kms.Calls().Decrypt-before, "KMS Decrypt calls")
			if tt.decrypt == 0 {
				assert.NotContains(t, out, `"secret"`)
				assert.Contains(t, out, "not one the decrypter accepts")
				assert.Contains(t, out, "(its KMS key is not one of --key-id", "the hint names the flag that refused the key")
				assert.NotContains(t, out, "check kms:Decrypt", "no permission is missing")
			}
		})
	}
}

// --key-id lists the keys --decrypt accepts: without --decrypt it is a
// usage error rather than a filter that silently does nothing.
func TestDLQPeek_KeyIDWithoutDecryptIsAUsageError(t *testing.T) {
	e := newDLQEnv(t)

	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--key-id", encryptiontest.ARN(e.keyID))

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "--key-id: only with --decrypt")
}
