package dynamostore

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A dead letter an earlier version kept in its shard, which another
// instance's sweep moves to the shard's dead-letter partition while
// DeadLetters reads that shard, is listed once: DeadLetters reads the
// shard before the partition the move writes to, so the dead letter is
// in one of the two reads, and in both at most.
func TestOutboxDeadLettersListsALegacyDeadLetterMovedWhileItReads(t *testing.T) {
	var moved atomic.Bool
	item := func(pk string) string {
		return `{"pk":{"S":"` + pk + `"},"sk":{"S":"0000000000000000001#000#old-1#events"},"uuid":{"S":"old-1"},` +
			`"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="},"failure":{"S":"no publisher"}}`
	}
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		if op != "Query" {
			return 0, ""
		}
		var items string
		switch {
		case strings.Contains(body, `"svc#0#dead"`) && moved.Load():
			items = item("svc#0#dead")
		case strings.Contains(body, `"svc#0"`) && !moved.Load():
			items = item("svc#0")
		}
		if strings.Contains(body, `"svc#0`) {
			moved.Store(true) // another instance's sweep moves it right after this read
		}
		return http.StatusOK, `{"Items":[` + items + `]}`
	}}
	_, o := fakeOutbox(t, f, &recordingTransport{})

	dead, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	require.Len(t, dead, 1, "the dead letter moved meanwhile is listed, once")
	assert.Equal(t, "old-1", dead[0].Message.UUID)
	assert.Equal(t, "no publisher", dead[0].Reason)
}
