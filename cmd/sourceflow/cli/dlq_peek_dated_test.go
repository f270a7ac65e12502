package cli_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A message dated beyond the Decrypter's clock skew, or older than its
// maximum age, is dead-lettered for its date. Reading it is no replay:
// peek --decrypt shows its payload whatever its date.
func TestDLQPeek_DecryptsAMessageWhateverItsDate(t *testing.T) {
	tests := map[string]time.Time{
		"dated an hour ahead":        time.Now().Add(time.Hour),
		"older than the maximum age": time.Now().Add(-encryption.DefaultMaxAge - 24*time.Hour),
	}
	for name, at := range tests {
		t.Run(name, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
				body: `{"card":"secret"}`, encryptFor: "orders.fifo", occurredAt: at.UTC().Format(time.RFC3339Nano)})

			out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt")

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, `  payload     {"card":"secret"}`+"\n")
			assert.NotContains(t, out, "cannot decrypt")
		})
	}
}

// A signed-only message travels in clear under its signature: peek
// --decrypt checks the signature and shows the payload.
func TestDLQPeek_DecryptShowsASignedOnlyMessage(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
		body: `{"total":7}`, encryptFor: "orders.fifo", signOnly: true})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `  payload     {"total":7}`+"\n")
	assert.NotContains(t, out, "cannot decrypt")
}
