package cli_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A refused header key the sender made long is shown escaped and cut, with
// its length, as the Decrypter's own error shows it, not whole: the
// wording that names --key-id keeps the library's bound.
func TestDLQPeek_ALongRefusedHeaderKeyIsShownCut(t *testing.T) {
	forged := "arn:aws:kms:us-east-1:111122223333:key/\"" + strings.Repeat("k", 1900)
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
		body: `{"card":"secret"}`, encryptFor: "orders.fifo", headerKeyID: forged})
	keyARN := encryptiontest.ARN(e.keyID)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", keyARN)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "--key-id ("+keyARN+")", out)
	assert.Contains(t, out, "…("+strconv.Itoa(len(forged))+" bytes)", "the key is cut, with its length")
	assert.NotContains(t, out, strings.Repeat("k", 1000), "the key is not shown whole")
	assert.Contains(t, out, `key/\"`, "the sender's quote cannot end the quoted text")
}
