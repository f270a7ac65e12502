package cli_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQRedriveType_CopiesOnlyThatTypeAndReleasesTheOthers(t *testing.T) {
	e := newDLQEnv(t)
	for i := range 14 {
		typ := "orders.OrderCreated"
		if i%3 == 0 {
			typ = "orders.OrderShipped"
		}
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint("m", i), typ: typ, entity: "o", reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--type", "orders.OrderCreated")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "by copy (--type: only a copy picks messages by type)")
	assert.Contains(t, out, "Moved 9 messages of type orders.OrderCreated from orders-order-events-dlq to orders-order-events (method: copy).")
	assert.Contains(t, out, "5 messages of other types stay in orders-order-events-dlq, visible again.")
	moved := typesOf(t, e.messages("orders-order-events"))
	assert.Len(t, moved, 9)
	assert.NotContains(t, moved, "orders.OrderShipped")
	kept := typesOf(t, e.messages("orders-order-events-dlq"))
	assert.Len(t, kept, 5)
	assert.NotContains(t, kept, "orders.OrderCreated")
}

func TestDLQRedriveType_FIFOCopiesAMessageBehindAReleasedOneOfItsGroup(t *testing.T) {
	e := newDLQEnv(t)
	for i := range 9 {
		e.put(t, "orders-dlq.fifo", letter{id: fmt.Sprint("x", i), typ: "orders.RefundOrder", entity: fmt.Sprint("g-", i), reason: "boom", body: "{}"})
	}
	e.put(t, "orders-dlq.fifo", letter{id: "a", typ: "orders.RefundOrder", entity: "o-1", reason: "boom", body: "a"})
	e.put(t, "orders-dlq.fifo", letter{id: "b", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "b"})
	e.put(t, "orders-dlq.fifo", letter{id: "c", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "c"})

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--type", "orders.CreateOrder")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 2 messages of type orders.CreateOrder")
	assert.ElementsMatch(t, []string{"orders.CreateOrder", "orders.CreateOrder"}, typesOf(t, e.messages("orders.fifo")))
	kept := typesOf(t, e.messages("orders-dlq.fifo"))
	assert.Len(t, kept, 10)
	assert.NotContains(t, kept, "orders.CreateOrder")
}

func TestDLQRedriveType_UsageErrors(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "m1", typ: "orders.OrderCreated", entity: "o", reason: "boom", body: "{}"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty type", []string{"--type", ""}, "--type is empty: name the message type (sf_type) to redrive"},
		{"native", []string{"--type", "orders.OrderCreated", "--method", "native"},
			"--type: the native method (an SQS message move task) moves every message, whatever its type; use --method copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq"}, tt.args...)

			_, errOut, code := e.run(t, args...)

			assert.Equal(t, cli.ExitUsage, code)
			assert.Contains(t, errOut, tt.want)
			assert.Len(t, e.messages("orders-order-events-dlq"), 1)
		})
	}
}

// --max bounds the messages read, of the type or not: a run that reaches
// it says so, though it moved fewer.
func TestDLQRedriveType_ARunStoppedByMaxSaysSo(t *testing.T) {
	e := newDLQEnv(t)
	for i, typ := range []string{"orders.OrderCreated", "orders.OrderShipped", "orders.OrderCreated", "orders.OrderCreated"} {
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint("m", i), typ: typ, entity: "o", reason: "boom", body: fmt.Sprint(i)})
	}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy",
		"--type", "orders.OrderCreated", "--max", "2")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message of type orders.OrderCreated")
	assert.Contains(t, out, "Stopped at --max 2; run the command again to move more.")
	assert.Len(t, typesOf(t, e.messages("orders-order-events-dlq")), 3)
}
