package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// peek -o json prints the dead letters as one document for scripts, each
// with why it is in the dead-letter queue: its reason, or the explanation
// of a message that carries none.
func TestDLQPeekPrintsJSONWithTheReasonOfEveryMessage(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "cqrs: no handler", body: `{"id":"o-1"}`})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2", reason: "decode: bad JSON",
		packedReason: true, body: `{"id":`})
	e.put(t, "orders-dlq.fifo", letter{id: "id-3", typ: "orders.CreateOrder", entity: "o-3", body: `{"id":"o-3"}`})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct {
		Service, Queue, Source string
		Depth                  int64 `json:"approximate_depth"`
		Messages               []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "orders", doc.Service)
	assert.Equal(t, "orders-dlq.fifo", doc.Queue)
	assert.Equal(t, "orders.fifo", doc.Source)
	assert.Equal(t, int64(3), doc.Depth)
	require.Len(t, doc.Messages, 3)
	noReason := "none given (moved by the queue's redrive policy after its last receive, by SNS when it could not " +
		"deliver to the queue, or by a producer)"
	for i, want := range []struct {
		id, reason string
		given      bool
	}{{"id-1", "cqrs: no handler", true}, {"id-2", "decode: bad JSON", true}, {"id-3", noReason, false}} {
		m := doc.Messages[i]
		assert.Equal(t, want.id, m["message_id"])
		assert.Equal(t, "orders.CreateOrder", m["type"])
		assert.Equal(t, "o-"+want.id[3:], m["entity_id"])
		assert.Equal(t, want.reason, m["reason"])
		assert.Equal(t, want.given, m["reason_given"])
		assert.NotContains(t, m, "receives", "the letter does not say how often the consumer received it")
		assert.NotEmpty(t, m["sqs_id"])
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, m["sent"])
		queued := map[bool]string{true: "dead_lettered", false: "enqueued"}
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, m[queued[want.given]])
		assert.NotContains(t, m, queued[!want.given])
		assert.NotContains(t, m, "payload", "the payload only with --payload")
	}
	assert.Len(t, e.messages("orders-dlq.fifo"), 3, "peek deletes nothing")

	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "-o", "json", "--payload", "--max", "1")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `"payload": "{\"id\":\"o-1\"}"`)
}

// In JSON, the characters a terminal would act on are escapes too.
func TestDLQPeekJSONEscapesWhatWouldDriveTheTerminal(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder\u009b2J", entity: "o-1",
		reason: "boom\u009b2J\r\u202eforged", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `"type": "orders.CreateOrder\u009b2J"`)
	assert.Contains(t, out, `"reason": "boom\u009b2J\r\u202eforged"`)
	for _, raw := range []string{"\u009b", "\r", "\u202e"} {
		assert.NotContains(t, out, raw)
	}
	var doc struct {
		Messages []struct{ Type, Reason string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "boom\u009b2J\r\u202eforged", doc.Messages[0].Reason, "the escapes read back as the reason")
}

// An unknown --output is a usage error, found before any AWS call, as for
// dlq list.
func TestDLQPeekRefusesAnUnknownOutputBeforeAnyCall(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	_, errOut, code := fake.run(t, "dlq", "peek", "-f", path, "--queue", "orders.fifo", "-o", "yaml")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, `--output "yaml": want table or json`)
	assert.Zero(t, fake.clientCalls.Load(), "no AWS client for a usage error")
}
