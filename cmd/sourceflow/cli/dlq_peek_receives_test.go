package cli_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// peek shows the consumer's receive count that awsbus wrote into the
// copy, the envelope's send time as "sent" and the copy's SQS send time as
// "dead-lettered", in the table and in JSON alike.
func TestDLQPeek_ShowsTheConsumersReceivesAndWhenTheMessageWasDeadLettered(t *testing.T) {
	e := newDLQEnv(t)
	sentAt := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", receives: "3",
		reason: "awsbus: failed on its last allowed receive (3 of 3): boom", body: "{}", occurredAt: sentAt.Format(time.RFC3339Nano)})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  receives    3\n")
	assert.Contains(t, out, "  sent        "+sentAt.Format(time.RFC3339)+"\n")
	assert.Regexp(t, `  dead-lettered \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n`, out)

	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "-o", "json")
	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct{ Messages []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Messages, 1)
	m := doc.Messages[0]
	assert.InDelta(t, 3, m["receives"], 0, "the second peek shows the consumer's count too")
	assert.Equal(t, sentAt.Format(time.RFC3339), m["sent"])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, m["dead_lettered"])
}
