package cli_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// receivesLine is the receives line of peek's output.
var receivesLine = regexp.MustCompile(`(?m)^  receives    .*$`)

// An operator reads peek's receive count as how often the consumer tried
// the message. Peek consumes nothing, so peeking again must not change
// the count it shows: the second peek shows what the first did.
func TestDLQPeek_ReceiveCountDoesNotCountPeeks(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1",
		reason: "awsbus: failed on its last allowed receive (8 of 8): boom", body: `{"id":"o-1"}`})

	first, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)
	second, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)

	require.Regexp(t, receivesLine, first)
	assert.Equal(t, receivesLine.FindString(first), receivesLine.FindString(second),
		"a peek is not a receive of the consumer")
}

// awsbus dead-letters a message by sending a copy, whose SQS sent time is
// when it was dead-lettered. The envelope keeps when the message was sent
// (sf_at): peek must show it, or an operator cannot tell a message sent two
// hours ago from one sent just now, nor pick the dead letters of an
// incident's window.
func TestDLQPeek_ShowsWhenTheMessageWasSentNotOnlyWhenItWasCopied(t *testing.T) {
	e := newDLQEnv(t)
	sentAt := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom",
		body: `{"id":"o-1"}`, occurredAt: sentAt.Format(time.RFC3339Nano)})

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, sentAt.Format(time.RFC3339), "the envelope's send time")
}
