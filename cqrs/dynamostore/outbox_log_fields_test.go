package dynamostore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The line of a message the sweep skips names its UUID and sort key as
// sourceflow.IDText shows them: a handler may publish again a message it
// received, whose UUID its sender chose, and an item written by other
// means may have any id, oversize or holding characters a terminal or a
// log line acts on. (The ids are JSON-escaped in the item DynamoDB sends.)
func TestOutboxSweepLogBoundsTheMessagesUUID(t *testing.T) {
	for id, want := range map[string]string{
		strings.Repeat("u", 2_000):   strings.Repeat("u", 256) + "…(2000 bytes)",
		`m-1\nlevel=INFO msg=forged`: `m-1\nlevel=INFO msg=forged`,
		`m-1\u001b]0;owned\u0007`:    `m-1\x1b]0;owned\a`,
	} {
		lines, err := skippedSweep(t, func(body string) (int, string) { return shardItems(body, id) })

		require.Error(t, err)
		require.Len(t, lines, 1, "%.20q", id)
		assert.Equal(t, want, lines[0].Fields["message_id"], "%.20q", id)
		sk, _ := lines[0].Fields["sk"].(string)
		assert.LessOrEqual(t, len(sk), 256+len("…(9999 bytes)"), "%.20q", id)
		assert.NotContains(t, sk, "\n", "%.20q", id)
		assert.NotContains(t, sk, "\x1b", "%.20q", id)
	}
}

// An item written to the outbox table by other means may name any
// destination and any id: the line of a message the sweep skips shows its
// destination, as it shows its UUID, bounded and escaped, and so does
// Sweep's error, which the periodic sweep logs ("outbox: sweep failed").
// (The texts are JSON-escaped in the item DynamoDB sends.)
func TestOutboxSkipLineAndSweepErrorBoundTheItemsTexts(t *testing.T) {
	long := strings.Repeat("d", 2_000)
	for _, c := range []struct{ id, destination, wantID, wantDest string }{
		{`m-1\nlevel=INFO msg=forged`, `events\u001b[2J`, `m-1\nlevel=INFO msg=forged`, `events\x1b[2J`},
		{"m-2", long, "m-2", strings.Repeat("d", 256) + "…(2000 bytes)"},
	} {
		item := graceItem{id: c.id, destination: c.destination, written: time.Now().Add(-time.Hour)}
		lines, err := skippedSweep(t, func(body string) (int, string) { return shardItemsWritten(body, item) })

		require.Error(t, err)
		assert.Contains(t, err.Error(), "message "+c.wantID+" for \""+c.wantDest+"\" skipped")
		assert.NotContains(t, err.Error(), "\nlevel=INFO", "no forged line")
		assert.NotContains(t, err.Error(), "\x1b")
		assert.Less(t, len(err.Error()), 1_000, "the destination is bounded")
		require.Len(t, lines, 1)
		assert.Equal(t, c.wantDest, lines[0].Fields["destination"])
	}
}

// skippedSweep runs a Sweep whose Query answers query and whose every
// update DynamoDB refuses for good, so the sweep skips the messages it
// read, and returns the "skips it" lines it logged and Sweep's error.
func skippedSweep(t *testing.T, query func(body string) (int, string)) ([]watermill.CapturedMessage, error) {
	t.Helper()
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch op {
		case "Query":
			return query(body)
		case "UpdateItem":
			return awsFault("ValidationException", "Item size to update has exceeded the maximum allowed size")
		}
		return 0, ""
	}}
	_, o := fakeOutbox(t, f, &recordingTransport{})
	logs := watermill.NewCaptureLogger()
	o.cfg.Logger = logs
	_, err := o.Sweep(context.Background())
	var lines []watermill.CapturedMessage
	for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
		if strings.Contains(l.Msg, "the sweep skips it") {
			lines = append(lines, l)
		}
	}
	return lines, err
}
