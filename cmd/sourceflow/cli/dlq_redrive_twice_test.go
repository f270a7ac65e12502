package cli_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// nextMillisecond returns once the wall clock, which stamps the fake's
// messages in milliseconds, has moved to a later millisecond: what is sent
// after it gets a later SentTimestamp than what was sent or received before.
func nextMillisecond() {
	for start := time.Now().UnixMilli(); time.Now().UnixMilli() == start; {
		runtime.Gosched()
	}
}

// A second copy of a message (at-least-once delivery dead-letters a
// message twice) that the dead-letter queue held before the run is a dead
// letter: SQS's timestamps date it before the run's first send, so it is
// moved, not taken for the copy the run sent coming back.
func TestDLQRedrive_CopyMovesASecondCopyTheDeadLetterQueueHeldBefore(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.put(t, "orders-order-events-dlq", letter{id: "b", typ: "orders.OrderCreated", entity: "o-b", reason: "boom", body: "b"})
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a, again"})
	nextMillisecond()

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--method", "copy", "--rate", "1/s")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 3 messages from orders-order-events-dlq to orders-order-events (method: copy).\n")
	assert.NotContains(t, out, "came back")
	assert.NotContains(t, out, "do not date")
	assert.Equal(t, []string{"a", "b", "a, again"}, bodies(e.messages("orders-order-events")))
	assert.Empty(t, e.messages("orders-order-events-dlq"))
}

// When SQS's timestamps cannot date a second copy (every message received
// before the run's first send had been received before, by a peek, so no
// receive of the run is dated), the copy stays in the dead-letter queue,
// the output says so, and the run goes on with the other messages.
func TestDLQRedrive_CopyLeavesASecondCopyItCannotDateAndGoesOn(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.put(t, "orders-order-events-dlq", letter{id: "b", typ: "orders.OrderCreated", entity: "o-b", reason: "boom", body: "b"})
	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq")
	require.Equal(t, cli.ExitOK, code, errOut)
	nextMillisecond()
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a, again"})
	e.put(t, "orders-order-events-dlq", letter{id: "c", typ: "orders.OrderCreated", entity: "o-c", reason: "boom", body: "c"})

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--method", "copy", "--rate", "1/s")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 3 messages from orders-order-events-dlq to orders-order-events (method: copy).\n")
	assert.Contains(t, out, "1 message stays in orders-order-events-dlq that carries the message id (or the body and "+
		"attributes) of a message the run moved, and that SQS's timestamps do not date: second copies the queue held "+
		"before the run, or messages that came back; peek it, and run the command again to move it.\n")
	assert.NotContains(t, out, "came back to")
	assert.Equal(t, []string{"a", "b", "c"}, bodies(e.messages("orders-order-events")), "the run went on")
	left := e.messages("orders-order-events-dlq")
	require.Equal(t, []string{"a, again"}, bodies(left))
	assert.False(t, left[0].InFlight, "released when the run ends")
}
