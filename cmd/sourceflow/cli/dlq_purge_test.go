package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQPurge_WithoutYesCountsAndDeletesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Dead-letter queue orders-dlq.fifo of orders.fifo holds about 2 messages, 0 in flight. "+
		"Nothing deleted: add --yes to delete them")
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
	assert.Contains(t, out, "Purged dead-letter queue orders-dlq.fifo of orders.fifo (about 2 messages, 0 in flight)")
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
	assert.Contains(t, errOut, "(the dead-letter queue of orders.fifo is orders-dlq.fifo)")
	assert.Len(t, e.messages("orders.fifo"), 1)
}

func TestDLQPurge_RefusesTheDeadLetterQueueOfAQueueTheServiceOnlySendsTo(t *testing.T) {
	e := newDLQEnv(t)
	_, errOut, code := e.run(t, "apply", "-f", writeTopology(t, paymentsBinding(), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	e.put(t, "payments-dlq.fifo", letter{id: "m1", typ: "payments.Charge", entity: "p-1", reason: "boom", body: "{}"})

	_, errOut, code = e.run(t, "dlq", "purge", "-f", e.path, "--queue", "payments-dlq.fifo", "--yes")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "--queue payments-dlq.fifo: payments.fifo is a queue this service only sends to")
	assert.Len(t, e.messages("payments-dlq.fifo"), 1, "another service's dead letters are kept")
}

func TestDLQPurge_ASecondPurgeWithinAMinuteExitsThree(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	_, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})

	_, errOut, code = e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "SQS refused it because a purge of the queue started within the last 60 seconds")
	assert.Len(t, e.messages("orders-dlq.fifo"), 1, "the refused purge deleted nothing")
}

func TestDLQPurge_AFailedCallExitsThreeAndDeletesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.sqs.FailNext("PurgeQueue", 1, nil)

	_, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "dlq purge orders-dlq.fifo (the purge may have started")
	assert.Len(t, e.messages("orders-dlq.fifo"), 1)
}

func TestDLQRedrive_RefusesTheDeadLetterQueueOfAQueueTheServiceOnlySendsTo(t *testing.T) {
	e := newDLQEnv(t)
	_, errOut, code := e.run(t, "apply", "-f", writeTopology(t, paymentsBinding(), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	e.put(t, "payments-dlq.fifo", letter{id: "m1", typ: "payments.Charge", entity: "p-1", reason: "boom", body: "{}"})

	for _, queue := range []string{"payments-dlq.fifo", "payments.fifo"} {
		_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", queue)

		assert.Equal(t, cli.ExitUsage, code, queue)
		assert.Contains(t, errOut, "--queue "+queue+": payments.fifo is a queue this service only sends to", queue)
	}
	assert.Len(t, e.messages("payments-dlq.fifo"), 1, "another service's dead letters stay where they are")
	assert.Empty(t, e.messages("payments.fifo"))
}
