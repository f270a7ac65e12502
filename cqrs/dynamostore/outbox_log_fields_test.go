package dynamostore

import (
	"context"
	"strings"
	"testing"

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
		strings.Repeat("u", 2_000):   strings.Repeat("u", 256) + "…",
		`m-1\nlevel=INFO msg=forged`: `m-1\nlevel=INFO msg=forged`,
		`m-1\u001b]0;owned\u0007`:    `m-1\x1b]0;owned\a`,
	} {
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			switch op {
			case "Query":
				return shardItems(body, id)
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
		var lines []watermill.CapturedMessage
		for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
			if strings.Contains(l.Msg, "the sweep skips it") {
				lines = append(lines, l)
			}
		}
		require.Len(t, lines, 1, "%.20q", id)
		assert.Equal(t, want, lines[0].Fields["message_uuid"], "%.20q", id)
		sk, _ := lines[0].Fields["sk"].(string)
		assert.LessOrEqual(t, len(sk), 256+len("…"), "%.20q", id)
		assert.NotContains(t, sk, "\n", "%.20q", id)
		assert.NotContains(t, sk, "\x1b", "%.20q", id)
	}
}
