package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A copy of a dead-letter queue in which SQS counts no message has nothing
// to move: redrive says so in plain words, draws no progress bar, receives
// nothing and exits 0.
func TestDLQRedriveOfAnEmptyDeadLetterQueueSaysThereIsNothingToRedrive(t *testing.T) {
	for _, tt := range []struct{ queue, source string }{
		{"orders-order-events-dlq", "orders-order-events"},
		{"orders-dlq.fifo", "orders.fifo"},
	} {
		t.Run(tt.queue, func(t *testing.T) {
			e := newDLQEnv(t)

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", tt.queue, "--method", "copy")

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "Dead-letter queue "+tt.queue+" of "+tt.source+": SQS counts no message in it")
			assert.Contains(t, out, "Nothing to redrive")
			assert.Empty(t, errOut, "no progress bar")
			assert.Zero(t, e.sqs.Calls("StartMessageMoveTask")+e.sqs.Calls("ReceiveMessage"))
		})
	}
}

// A move task of a dead-letter queue in which SQS counts no message is not
// started: redrive by the native method (chosen, or by auto on a standard
// queue) says there is nothing to redrive, as a copy does, and draws no
// progress bar.
func TestDLQRedriveByMoveTaskOfAnEmptyDeadLetterQueueStartsNoTask(t *testing.T) {
	for _, method := range []string{"native", "auto"} {
		t.Run(method, func(t *testing.T) {
			e := newDLQEnv(t)

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", method)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "Dead-letter queue orders-order-events-dlq of orders-order-events: SQS counts no message in it")
			assert.Contains(t, out, "Nothing to redrive")
			assert.NotContains(t, out, "Moved")
			assert.Empty(t, errOut, "no progress bar")
			assert.Zero(t, e.sqs.Calls("StartMessageMoveTask")+e.sqs.Calls("ReceiveMessage"))
		})
	}
}

// A dead-letter queue in which SQS counts no message has nothing to count:
// purge says so, not that it holds "about 0" messages, and deletes nothing
// without --yes; with --yes it purges all the same, as the counts are
// approximate.
func TestDLQPurgeOfAnEmptyDeadLetterQueueSaysItIsEmpty(t *testing.T) {
	for _, name := range []string{"count only", "with yes"} {
		t.Run(name, func(t *testing.T) {
			e := newDLQEnv(t)
			args := []string{"dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo"}
			purges := 0
			if name == "with yes" {
				args = append(args, "--yes")
				purges = 1
			}

			out, errOut, code := e.run(t, args...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.NotContains(t, out, "about 0")
			assert.Equal(t, purges, e.sqs.Calls("PurgeQueue"))
			if purges == 0 {
				assert.Contains(t, out, "Dead-letter queue orders-dlq.fifo of orders.fifo: SQS counts no message in it")
				assert.Contains(t, out, "Nothing deleted")
			}
		})
	}
}
