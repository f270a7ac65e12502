package cli_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// typesOf returns the sf_type of each message, and fails when one is still
// hidden: purge --type makes the messages it keeps visible again at once.
func typesOf(t *testing.T, msgs []awsbustest.Message) []string {
	t.Helper()
	out := make([]string, len(msgs))
	for i, m := range msgs {
		assert.False(t, m.InFlight, "message %s is still hidden", m.ID)
		out[i] = m.Attributes["sf_type"]
	}
	return out
}

func TestDLQPurgeType_WithYesDeletesOnlyThatTypeAndReleasesTheOthers(t *testing.T) {
	e := newDLQEnv(t)
	for i := range 14 {
		typ := "orders.OrderCreated"
		if i%3 == 0 {
			typ = "orders.OrderShipped"
		}
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint("m", i), typ: typ, entity: "o", reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq", "--type", "orders.OrderShipped", "--yes")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Deleted 5 messages of type orders.OrderShipped from dead-letter queue orders-order-events-dlq of orders-order-events")
	assert.Contains(t, out, "9 messages of other types are visible again")
	assert.Zero(t, e.sqs.Calls("PurgeQueue"), "--type never purges the whole queue")
	kept := typesOf(t, e.messages("orders-order-events-dlq"))
	assert.Len(t, kept, 9)
	assert.NotContains(t, kept, "orders.OrderShipped")
}

func TestDLQPurgeType_WithoutYesCountsByTypeAndDeletesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.RefundOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m3", typ: "orders.RefundOrder", entity: "o-2", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--type", "orders.RefundOrder")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Dead-letter queue orders-dlq.fifo of orders.fifo holds about 3 messages, 0 in flight; "+
		"of the 3 read, 2 messages of type orders.RefundOrder would be deleted.\n")
	assert.Regexp(t, `orders.RefundOrder\s+2\n`, out)
	assert.Regexp(t, `orders.CreateOrder\s+1\n`, out)
	assert.Contains(t, out, "Nothing deleted: add --yes to delete them")
	assert.Len(t, e.messages("orders-dlq.fifo"), 3)
	assert.Zero(t, e.sqs.Calls("DeleteMessageBatch")+e.sqs.Calls("DeleteMessage"))
}

// A FIFO group whose first messages are of other types is received again
// after they are released: its later message of the type is reached, also
// when the receive that brought the group's head was full.
func TestDLQPurgeType_FIFOReachesAMessageBehindReleasedOnesOfItsGroup(t *testing.T) {
	e := newDLQEnv(t)
	for i := range 8 {
		e.put(t, "orders-dlq.fifo", letter{id: fmt.Sprint("x", i), typ: "orders.CreateOrder", entity: fmt.Sprint("g-", i), reason: "boom", body: "{}"})
	}
	e.put(t, "orders-dlq.fifo", letter{id: "a", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "a"})
	e.put(t, "orders-dlq.fifo", letter{id: "b", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "b"})
	e.put(t, "orders-dlq.fifo", letter{id: "c", typ: "orders.RefundOrder", entity: "o-1", reason: "boom", body: "c"})
	e.put(t, "orders-dlq.fifo", letter{id: "d", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "d"})

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--type", "orders.RefundOrder", "--yes")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Deleted 1 message of type orders.RefundOrder")
	kept := e.messages("orders-dlq.fifo")
	assert.Len(t, kept, 11)
	assert.NotContains(t, typesOf(t, kept), "orders.RefundOrder")
	var group []string
	for _, m := range kept {
		if m.GroupID == "o-1" {
			group = append(group, m.Body)
		}
	}
	assert.Equal(t, []string{"a", "b", "d"}, group, "the group keeps its order")
}

func TestDLQPurgeType_MaxBoundsTheMessagesRead(t *testing.T) {
	e := newDLQEnv(t)
	for i := range 6 {
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint("m", i), typ: "orders.OrderShipped", entity: "o", reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq", "--type", "orders.OrderShipped", "--yes", "--max", "4")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Deleted 4 messages of type orders.OrderShipped")
	assert.Contains(t, out, "Stopped at --max 4; run the command again for more.")
	assert.Len(t, typesOf(t, e.messages("orders-order-events-dlq")), 2)
}

func TestDLQPurgeType_UsageErrors(t *testing.T) {
	e := newDLQEnv(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty type", []string{"--type", ""}, "--type is empty: name the message type (sf_type) to delete"},
		{"max without type", []string{"--max", "3"}, "--max 3 needs --type"},
		{"negative max", []string{"--type", "orders.CreateOrder", "--max", "-1"}, "--max -1: want 0 (all) or more"},
	}
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo", "--yes"}, tt.args...)

			_, errOut, code := e.run(t, args...)

			assert.Equal(t, cli.ExitUsage, code)
			assert.Contains(t, errOut, tt.want)
			assert.Len(t, e.messages("orders-dlq.fifo"), 1)
		})
	}
}

func TestDLQPurgeType_AFailedDeleteExitsThreeSayingHowManyWereDeleted(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "m1", typ: "orders.OrderShipped", entity: "o", reason: "boom", body: "{}"})
	e.put(t, "orders-order-events-dlq", letter{id: "m2", typ: "orders.OrderCreated", entity: "o", reason: "boom", body: "{}"})
	e.sqs.FailNext("DeleteMessageBatch", 1, nil)

	out, errOut, code := e.run(t, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq", "--type", "orders.OrderShipped", "--yes")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, out, "Deleted 0 messages of type orders.OrderShipped")
	assert.Contains(t, errOut, "dlq purge orders-order-events-dlq: deleted 0, then stopped")
	assert.Len(t, typesOf(t, e.messages("orders-order-events-dlq")), 2, "both messages are visible again")
}
