package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQPeek_DecodesMessagesWithoutConsumingThem(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1",
		reason: "cqrs: no handler for type orders.CreateOrder", body: `{"id":"o-1"}`})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2",
		reason: "decode: unexpected end of JSON input", packedReason: true, body: `{"id":`})
	e.put(t, "orders-dlq.fifo", letter{id: "id-3", typ: "orders.CreateOrder", entity: "o-3", body: `{"id":"o-3"}`})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Dead-letter queue orders-dlq.fifo of orders.fifo: 3 of about 3 messages, none consumed.\n")
	for _, want := range []string{
		"\norders.CreateOrder\n  entity      o-1\n  message id  id-1\n",
		"  reason      cqrs: no handler for type orders.CreateOrder\n",
		"\norders.CreateOrder\n  entity      o-2\n  message id  id-2\n",
		"  reason      decode: unexpected end of JSON input\n",
		"  reason      none given (moved by the queue's redrive policy after its last receive, by SNS when it could not deliver to the queue, or by a producer)\n",
		"  receives    unknown (",
	} {
		assert.Contains(t, out, want)
	}
	assert.Regexp(t, `  sqs id      \S+-fake-\S+\n`, out)
	assert.Regexp(t, `  sent        \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n`, out)
	assert.NotContains(t, out, "payload")
	assert.Len(t, e.messages("orders-dlq.fifo"), 3, "peek deletes nothing")
	assert.Zero(t, e.sqs.Calls("DeleteMessage")+e.sqs.Calls("DeleteMessageBatch"))
}

func TestDLQPeek_PayloadAndDecryptFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  []string
		not   []string
	}{
		{"no payload flag", nil, nil, []string{"payload", `{"id":"o-1"}`, `"secret"`}},
		{"payload", []string{"--payload"},
			[]string{`  payload     {"id":"o-1"}` + "\n", "  payload     encrypted ("}, []string{`"secret"`}},
		{"decrypt", []string{"--decrypt"},
			[]string{`  payload     {"id":"o-1"}` + "\n", `  payload     {"card":"secret"}` + "\n"}, []string{"encrypted ("}},
		{"decrypt with another application name", []string{"--decrypt", "--app-name", "billing"},
			[]string{"encrypted (", "cannot decrypt", "check kms:Decrypt on the key and --app-name"}, []string{`"secret"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{"id":"o-1"}`})
			e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom",
				body: `{"card":"secret"}`, encryptFor: "orders.fifo"})

			out, errOut, code := e.run(t, append([]string{"dlq", "peek", "-f", e.path, "--queue", "orders.fifo"}, tt.flags...)...)

			require.Equal(t, cli.ExitOK, code, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, out, n)
			}
		})
	}
}

func TestDLQPeek_ShowsTheEncryptedSize(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "id-1", typ: "orders.OrderCreated", entity: "o-1", reason: "boom",
		body: `{"id":"o-1"}`, encryptFor: "order-events"})
	size := len(e.messages("orders-order-events-dlq")[0].Body)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq", "--payload")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  payload     encrypted ("+itoa(size)+" bytes)\n")

	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq", "--decrypt")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `  payload     {"id":"o-1"}`+"\n", "an event queue's messages decrypt for their topic")
}

func TestDLQPeek_MaxBoundsTheMessagesShown(t *testing.T) {
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq", "--max", "2")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, ": 2 of about 3 messages, none consumed.\n")
	assert.Equal(t, 2, strings.Count(out, "\norders.OrderCreated\n"))
}

func TestDLQPeek_UsageErrors(t *testing.T) {
	e := newDLQEnv(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown queue", []string{"--queue", "billing-dlq"}, `--queue "billing-dlq" is neither a dead-letter queue of`},
		{"max out of range", []string{"--queue", "orders.fifo", "--max", "0"}, "--max 0: want 1..1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := e.run(t, append([]string{"dlq", "peek", "-f", e.path}, tt.args...)...)
			assert.Equal(t, cli.ExitUsage, code)
			assert.Contains(t, errOut, tt.want)
		})
	}
	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, `required flag(s) "queue" not set`)
}

func TestDLQPeek_EscapesWhatWouldDriveTheTerminal(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder\u009b2J", entity: "o-1",
		reason: "boom\u009b2J\rforged", body: "{\"a\":1}\n\u009b31m\\ok"})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom",
		body: "\x1b[31mred\x07\xff", encryptFor: "orders.fifo"})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "\norders.CreateOrder\\u009b2J\n")
	assert.Contains(t, out, `  reason      boom\u009b2J\rforged`+"\n")
	assert.Contains(t, out, `  payload     {"a":1}\n\u009b31m\ok`+"\n")
	assert.Contains(t, out, `  payload     \x1b[31mred\a\xff`+"\n")
	for _, raw := range []string{"\u009b", "\x1b", "\r", "\a", "\xff"} {
		assert.NotContains(t, out, raw)
	}
}

// The dead-letter queue of a queue the service only sends to is its
// consumer's: peek refuses it, by either name, and receives nothing from it;
// an unknown name lists only the service's own dead-letter queues.
func TestDLQPeek_RefusesTheDeadLetterQueueOfAQueueTheServiceOnlySendsTo(t *testing.T) {
	e := newDLQEnv(t)
	_, errOut, code := e.run(t, "apply", "-f", writeTopology(t, paymentsBinding(), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	e.put(t, "payments-dlq.fifo", letter{id: "m1", typ: "payments.Charge", entity: "p-1", reason: "boom", body: "{}"})

	for _, queue := range []string{"payments-dlq.fifo", "payments.fifo"} {
		out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", queue)

		assert.Equal(t, cli.ExitUsage, code, queue)
		assert.Contains(t, errOut, "--queue "+queue+": payments.fifo is a queue this service only sends to", queue)
		assert.NotContains(t, out, "payments.Charge", queue)
	}
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "another service's dead letters are not received")

	_, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "billing-dlq")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "its dead-letter queues are: orders-order-events-dlq, orders-payment-events-dlq, orders-dlq.fifo (")

	_, errOut, code = e.run(t, "dlq", "peek", "-f", writeTopology(t, eventsOnly(), topology.Options{}), "--queue", "orders-dlq.fifo")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, `--queue "orders-dlq.fifo": service orders consumes no queue, so it has no dead-letter queue`)
}
