package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// staleCounts answers GetQueueAttributes with approximate counts of zero,
// as SQS does for up to a minute after messages arrive in a queue.
type staleCounts struct{ *awsbustest.MoveTaskSQS }

func (s staleCounts) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	out, err := s.MoveTaskSQS.GetQueueAttributes(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	for k := range out.Attributes {
		if strings.HasPrefix(k, "ApproximateNumberOf") {
			out.Attributes[k] = "0"
		}
	}
	return out, nil
}

// SQS's counts are approximate: a dead-letter queue whose count still
// reads zero may hold messages. A redrive by move task of such a queue
// starts no task, as a copy does not receive: it says the count is
// approximate and to run the command again in a minute.
func TestDLQRedriveByMoveTaskWhileTheCountReadsZeroSaysToRunItAgain(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "e-1", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})
	e.client = staleCounts{e.sqs}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.NotContains(t, out, "is empty")
	assert.Contains(t, out, "approximate")
	assert.Contains(t, out, "run the command again in a minute")
	assert.Zero(t, e.sqs.Calls("StartMessageMoveTask"))
	assert.Len(t, e.messages("orders-order-events-dlq"), 1, "nothing moved")
}

// A purge the operator confirmed (--yes) deletes what the dead-letter
// queue holds, even while its count still reads zero, and never says it
// is empty.
func TestDLQPurgeWithYesPurgesADeadLetterQueueWhileItsCountReadsZero(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{}`})
	e.client = staleCounts{e.sqs}

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.NotContains(t, out, "is empty")
	assert.Equal(t, 1, e.sqs.Calls("PurgeQueue"))
	assert.Empty(t, e.messages("orders-dlq.fifo"))
}

// Where the count decides (purge without --yes counts, a copy without
// --max moves at most the count), a count of zero is reported as what it
// is, an approximate count, not as a queue known to be empty.
func TestDLQCommandsCallAZeroCountApproximate(t *testing.T) {
	for _, args := range [][]string{
		{"dlq", "purge", "--queue", "orders-dlq.fifo"},
		{"dlq", "redrive", "--queue", "orders-dlq.fifo"},
	} {
		t.Run(args[1], func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{}`})
			e.client = staleCounts{e.sqs}

			out, errOut, code := e.run(t, append(args, "-f", e.path)...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.NotContains(t, out, "is empty")
			assert.Contains(t, out, "approximate")
			assert.Len(t, e.messages("orders-dlq.fifo"), 1, "nothing deleted or moved")
		})
	}
}

// A redrive that finds no message counted says how to move what the queue
// holds whatever its count (a copy bounded by --max), and the command it
// names moves the message.
func TestDLQRedriveWhileTheCountReadsZeroNamesTheCopyThatMovesAll(t *testing.T) {
	for _, method := range []string{"auto", "native", "copy"} {
		t.Run(method, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-order-events-dlq", letter{id: "e-1", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})
			e.client = staleCounts{e.sqs}

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", method)
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "--method copy --max N")

			out, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy", "--max", "10")
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "Moved 1 message from")
			assert.Len(t, e.messages("orders-order-events"), 1, "moved")
		})
	}
}
