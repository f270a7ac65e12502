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

// An item written to the outbox table by other means may name any
// destination and any id: the line of a message the sweep skips shows its
// destination, as it shows its UUID, bounded and escaped, and so does
// Sweep's error, which the periodic sweep logs ("outbox: sweep failed").
// (The texts are JSON-escaped in the item DynamoDB sends.)
func TestOutboxSkipLineAndSweepErrorBoundTheItemsTexts(t *testing.T) {
	long := strings.Repeat("d", 2_000)
	for _, c := range []struct{ id, destination, wantID, wantDest string }{
		{`m-1\nlevel=INFO msg=forged`, `events\u001b[2J`, `m-1\nlevel=INFO msg=forged`, `events\x1b[2J`},
		{"m-2", long, "m-2", strings.Repeat("d", 256) + "…"},
	} {
		item := graceItem{id: c.id, destination: c.destination, written: time.Now().Add(-time.Hour)}
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			switch op {
			case "Query":
				return shardItemsWritten(body, item)
			case "UpdateItem":
				return awsFault("ValidationException", "Item size to update has exceeded the maximum allowed size")
			}
			return 0, ""
		}}
		_, o := fakeOutbox(t, f, &recordingTransport{})
		logs := watermill.NewCaptureLogger()
		o.cfg.Logger = logs

		_, err := o.Sweep(context.Background())

		require.Error(t, err)
		assert.Contains(t, err.Error(), "message "+c.wantID+" for \""+c.wantDest+"\" skipped")
		assert.NotContains(t, err.Error(), "\nlevel=INFO", "no forged line")
		assert.NotContains(t, err.Error(), "\x1b")
		assert.Less(t, len(err.Error()), 1_000, "the destination is bounded")
		var lines []watermill.CapturedMessage
		for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
			if strings.Contains(l.Msg, "the sweep skips it") {
				lines = append(lines, l)
			}
		}
		require.Len(t, lines, 1)
		assert.Equal(t, c.wantDest, lines[0].Fields["destination"])
	}
}
