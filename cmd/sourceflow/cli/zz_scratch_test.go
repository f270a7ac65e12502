package cli_test

import (
	"testing"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

func TestZZScratch(t *testing.T) {
	e := newDLQEnv(t)
	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--method", "native")
	t.Log(code, out, errOut, e.sqs.Calls("StartMessageMoveTask"))
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{"card":"secret"}`, encryptFor: "orders.fifo"})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: `{"card":"secret"}`, encryptFor: "orders.fifo"})
	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", encryptiontest.ARN(e.kms.CreateKey()))
	t.Log(code, out, errOut)
	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "")
	t.Log(code, out, errOut)
	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/nope")
	t.Log(code, out, errOut)
}
