package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// putIncident puts on orders-dlq.fifo the dead letters of an incident:
// three commands that timed out (their reasons naming their own ids), one
// refused as permanent, and one the queue's redrive policy moved (no reason).
func (e *dlqEnv) putIncident(t *testing.T) {
	t.Helper()
	for _, id := range []string{"command-1", "command-2", "command-3"} {
		e.put(t, "orders-dlq.fifo", letter{id: id, typ: "orders.CreateOrder", entity: "o-" + id, body: "{}", receives: "3",
			reason: "awsbus: failed on its last allowed receive (3 of 3): message " + id + ": inventory db: i/o timeout"})
	}
	e.put(t, "orders-dlq.fifo", letter{id: "id-4", typ: "orders.CancelOrder", entity: "o-4", body: "{}", reason: "not implemented"})
	e.put(t, "orders-dlq.fifo", letter{id: "id-5", typ: "orders.CancelOrder", entity: "o-5", body: "{}"})
}

// peek --summary counts every message of the queue by type and by reason,
// the reasons of one fault in one row however their ids differ, and
// consumes none.
func TestDLQPeekSummary_GroupsByTypeAndReasonWithoutConsuming(t *testing.T) {
	e := newDLQEnv(t)
	e.putIncident(t)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--summary")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Read 5 of about 5 messages of dead-letter queue orders-dlq.fifo of orders.fifo, none consumed.\n")
	assert.Regexp(t, `(?m)^orders\.CreateOrder\s+3$`, out)
	assert.Regexp(t, `(?m)^orders\.CancelOrder\s+2$`, out)
	assert.Regexp(t, `(?m)^awsbus: failed on its last allowed receive \(3 of 3\): message <message id>: inventory db: i/o timeout\s+3$`, out)
	assert.Regexp(t, `(?m)^not implemented\s+1$`, out)
	assert.Regexp(t, `(?m)^none given \(moved by the queue's redrive policy.*\s+1$`, out)
	assert.Regexp(t, `Dead-lettered from \S+ \(oldest\) to \S+ \(newest\)\.`, out)
	assert.Len(t, e.messages("orders-dlq.fifo"), 5, "nothing deleted")
	assert.Zero(t, e.sqs.Calls("DeleteMessage")+e.sqs.Calls("DeleteMessageBatch"))
}

// With -o json the summary is one document, its counts the most frequent
// first.
func TestDLQPeekSummary_PrintsJSON(t *testing.T) {
	e := newDLQEnv(t)
	e.putIncident(t)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "--summary", "-o", "json")

	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct {
		Queue       string `json:"queue"`
		Depth       int64  `json:"approximate_depth"`
		Read        int    `json:"read"`
		DeadLetters int64  `json:"dead_letters"`
		ByType      []struct {
			Type  string `json:"type"`
			Count int64  `json:"count"`
		} `json:"by_type"`
		ByReason []struct {
			Reason string `json:"reason"`
			Count  int64  `json:"count"`
		} `json:"by_reason"`
		Oldest, Newest string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "orders-dlq.fifo", doc.Queue)
	assert.Equal(t, int64(5), doc.Depth)
	assert.Equal(t, 5, doc.Read)
	assert.Equal(t, int64(5), doc.DeadLetters)
	require.Len(t, doc.ByType, 2)
	assert.Equal(t, "orders.CreateOrder", doc.ByType[0].Type)
	assert.Equal(t, int64(3), doc.ByType[0].Count)
	require.Len(t, doc.ByReason, 3)
	assert.Equal(t, int64(3), doc.ByReason[0].Count)
	assert.NotEmpty(t, doc.Oldest)
	assert.NotEmpty(t, doc.Newest)
}

// An empty queue is summarised as such, without a table.
func TestDLQPeekSummary_OfAnEmptyQueue(t *testing.T) {
	e := newDLQEnv(t)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "--summary")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Read 0 of about 0 messages")
	assert.NotContains(t, out, "TYPE")
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "nothing to read")
}

// --summary counts every message and shows none: --max, --payload and
// --decrypt are usage errors with it.
func TestDLQPeekSummary_RefusesFlagsThatShowMessages(t *testing.T) {
	e := newDLQEnv(t)
	for _, flag := range [][]string{{"--max", "5"}, {"--payload"}, {"--decrypt"}} {
		_, errOut, code := e.run(t, append([]string{"dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "--summary"}, flag...)...)

		assert.Equal(t, cli.ExitUsage, code, flag)
		assert.Contains(t, errOut, "leave out --max, --payload and --decrypt", flag)
	}
}
