package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// peek shows which host and which version of the service failed each dead
// letter, whether awsbus wrote them as attributes or inside the packed
// envelope, and says "unknown" of a letter that does not say (the queue's
// redrive policy moved it, or an older SourceFlow copied it); -o json
// leaves them out then.
func TestDLQPeekShowsTheHostAndVersionThatFailedEachLetter(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}",
		failedHost: "web-7", failedVersion: "v1.4.2"})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}",
		failedHost: "web-8", failedVersion: "v1.5.0", packedOrigin: true})
	e.put(t, "orders-dlq.fifo", letter{id: "id-3", typ: "orders.CreateOrder", entity: "o-3", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  host        web-7\n  version     v1.4.2\n")
	assert.Contains(t, out, "  host        web-8\n  version     v1.5.0\n")
	assert.Contains(t, out, "  host        unknown\n  version     unknown\n")

	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "-o", "json")
	require.Equal(t, cli.ExitOK, code, errOut)
	var doc struct{ Messages []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Messages, 3)
	assert.Equal(t, "web-7", doc.Messages[0]["failed_host"])
	assert.Equal(t, "v1.4.2", doc.Messages[0]["failed_version"])
	assert.Equal(t, "web-8", doc.Messages[1]["failed_host"])
	assert.Equal(t, "v1.5.0", doc.Messages[1]["failed_version"])
	assert.NotContains(t, doc.Messages[2], "failed_host", "left out when unknown")
	assert.NotContains(t, doc.Messages[2], "failed_version")
}
