package outbox

import (
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A forward that panics (in the inner transport's publisher, say) is a
// failed forward like any other: the row is nacked, so forwarded again
// after the backoff, and the failure is logged on one line that describes
// the panic value as sourceflow.PanicError does, never its contents, with
// the stack at debug level. Left to Watermill's router, the panic would be
// logged at every attempt with its value in full and its stack over many
// lines.
func TestForwardPanicIsLoggedAsAFailureOnOneLine(t *testing.T) {
	const card = "4111111111111111"
	logs := watermill.NewCaptureLogger()
	forward := newFailureLog(logs, "outbox", time.Minute).middleware(func(*message.Message) ([]*message.Message, error) {
		panic(struct{ Card string }{card})
	})
	row := message.NewMessage("row-1", []byte("{}"))

	var err error
	require.NotPanics(t, func() { _, err = forward(row) })
	require.NoError(t, err, "the failure is handled here, as any other")
	select {
	case <-row.Nacked():
	default:
		t.Fatal("the row is nacked, so forwarded again after the backoff")
	}
	errs := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0].Err, "sourceflow: handler panicked: a value of type struct { Card string }")
	debug := logs.Captured()[watermill.DebugLogLevel]
	require.Len(t, debug, 1, "the stack at debug level")
	assert.Contains(t, debug[0].Fields["error_detail"], "goroutine ")
	for level, lines := range logs.Captured() {
		for _, line := range lines {
			assert.NotContains(t, fmt.Sprint(line.Msg, line.Err, line.Fields), card, "level %v", level)
		}
	}
}
