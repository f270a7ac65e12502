package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An empty dead-letter queue has nothing to redrive: redrive says so in
// plain words, draws no progress bar, starts no move task and exits 0.
func TestDLQRedriveOfAnEmptyDeadLetterQueueSaysThereIsNothingToRedrive(t *testing.T) {
	for _, tt := range []struct{ queue, source string }{
		{"orders-order-events-dlq", "orders-order-events"},
		{"orders-dlq.fifo", "orders.fifo"},
	} {
		t.Run(tt.queue, func(t *testing.T) {
			e := newDLQEnv(t)

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", tt.queue)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Equal(t, "Dead-letter queue "+tt.queue+" of "+tt.source+" is empty: nothing to redrive.\n", out)
			assert.Empty(t, errOut, "no progress bar")
			assert.Zero(t, e.sqs.Calls("StartMessageMoveTask")+e.sqs.Calls("ReceiveMessage"))
		})
	}
}

// An empty dead-letter queue has nothing to purge: purge says it is empty,
// not that it holds "about 0" messages, and calls no PurgeQueue.
func TestDLQPurgeOfAnEmptyDeadLetterQueueSaysItIsEmpty(t *testing.T) {
	for _, name := range []string{"count only", "with yes"} {
		t.Run(name, func(t *testing.T) {
			e := newDLQEnv(t)
			args := []string{"dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo"}
			if name == "with yes" {
				args = append(args, "--yes")
			}

			out, errOut, code := e.run(t, args...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Equal(t, "Dead-letter queue orders-dlq.fifo of orders.fifo is empty: nothing to purge, nothing deleted.\n", out)
			assert.NotContains(t, out, "about 0")
			assert.Zero(t, e.sqs.Calls("PurgeQueue"))
		})
	}
}
