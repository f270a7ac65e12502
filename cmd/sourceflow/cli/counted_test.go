package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A count of one reads in the singular wherever the dlq commands print a
// count with its noun.
func TestDLQCountsOfOneReadInTheSingular(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "list", "-f", e.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, ": 1 dead letter in 3 dead-letter queues; 0 messages ahead and 0 in flight in their source queues.\n")

	out, errOut, code = e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "holds about 1 message, 0 in flight. Nothing deleted: add --yes to delete it ")

	out, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "native")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message from orders-order-events-dlq to orders-order-events (method: native")
}
