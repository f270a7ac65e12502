package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQPurge_WithoutYesCountsAndDeletesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, out, "Dead-letter queue orders-dlq.fifo of orders.fifo holds about 2 messages (0 in flight). Nothing deleted.")
	assert.Contains(t, errOut, "run it again with --yes")
	assert.Len(t, e.messages("orders-dlq.fifo"), 2)
}

func TestDLQPurge_WithYesEmptiesTheDeadLetterQueueOnly(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})
	e.put(t, "orders.fifo", letter{id: "m3", typ: "orders.CreateOrder", entity: "o-3", reason: "none", body: "{}"})
	e.put(t, "orders-order-events-dlq", letter{id: "m4", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Purged dead-letter queue orders-dlq.fifo of orders.fifo: about 2 messages deleted")
	assert.Empty(t, e.messages("orders-dlq.fifo"))
	assert.Len(t, e.messages("orders.fifo"), 1, "the source queue keeps its message")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1, "another dead-letter queue keeps its message")
}

func TestDLQPurge_RefusesTheSourceQueue(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "none", body: "{}"})

	_, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders.fifo", "--yes")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "--queue orders.fifo is not a dead-letter queue")
	assert.Contains(t, errOut, "did you mean --queue orders-dlq.fifo?")
	assert.Len(t, e.messages("orders.fifo"), 1)
}

func TestDLQPurge_ASecondPurgeWithinAMinuteExitsThree(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	_, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})

	_, errOut, code = e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "a purge of it is still running (SQS allows one every 60 seconds)")
	assert.Len(t, e.messages("orders-dlq.fifo"), 1, "the refused purge deleted nothing")
}

func TestDLQPurge_AFailedCallExitsThreeAndDeletesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.sqs.FailNext("PurgeQueue", 1, nil)

	_, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "dlq purge orders-dlq.fifo")
	assert.Len(t, e.messages("orders-dlq.fifo"), 1)
}
