package outbox

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// Failed forwards in a row are logged first, then at most once per
// interval with the failures since the line before, and their end once,
// with the failures in the row.
func TestForwardFailuresAreLoggedFirstThenOncePerIntervalWithTheirCount(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	l := newFailureLog(logs, "outbox", time.Minute)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return clock }
	down := errors.New("queue service unavailable")
	for range 30 { // 30 attempts, 5s apart: 2m25s
		l.failed(message.NewMessage("m-1", nil), down)
		clock = clock.Add(5 * time.Second)
	}
	l.succeeded(nil)
	l.succeeded(nil)

	errs := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, errs, 3, "the first failure, then one line a minute")
	for i, want := range []int{1, 12, 12} {
		assert.Equal(t, want, errs[i].Fields["failed_attempts"], "line %d", i)
		assert.EqualError(t, errs[i].Err, down.Error())
	}
	assert.Equal(t, "2m0s", errs[2].Fields["failing_for"])
	infos := logs.Captured()[watermill.InfoLogLevel]
	require.Len(t, infos, 1, "the recovery, once")
	assert.Equal(t, 30, infos[0].Fields["failed_attempts"])
	assert.Equal(t, "2m30s", infos[0].Fields["failed_for"])
}

// A failed forward's line names the row's UUID as sourceflow.IDText shows
// it: a row written to the outbox table by other means than the outbox's
// publisher may have any id, oversize or holding characters a terminal or
// a log line acts on.
func TestForwardFailureLogBoundsTheRowsUUID(t *testing.T) {
	for uuid, want := range map[string]string{
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		logs := watermill.NewCaptureLogger()
		l := newFailureLog(logs, "outbox", time.Minute)

		l.failed(message.NewMessage(uuid, nil), errors.New("queue service unavailable"))

		errs := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, errs, 1)
		assert.Equal(t, want, errs[0].Fields["row_uuid"], "%.20q", uuid)
	}
}

// A failed forward's line names the forwarded message as spans and the
// other services' logs do: its destination, its own id (not the forwarder
// envelope's row UUID) and its type.
func TestForwardFailureLogNamesTheForwardedMessage(t *testing.T) {
	payload, err := json.Marshal(envelope{DestinationTopic: "orders", UUID: "wm-1", Payload: []byte("{}"),
		Metadata: map[string]string{sourceflow.MetaMessageID: "msg-7", sourceflow.MetaType: "model.OrderPaid"}})
	require.NoError(t, err)
	logs := watermill.NewCaptureLogger()

	newFailureLog(logs, "outbox", time.Minute).failed(message.NewMessage("row-1", payload), errors.New("down"))

	errs := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, errs, 1)
	f := errs[0].Fields
	assert.Equal(t, []any{"row-1", "orders", "msg-7", "model.OrderPaid"},
		[]any{f["row_uuid"], f["destination"], f["message_id"], f["message_type"]})
}

// A forward that fails for a new reason is logged at once, without waiting
// for the interval: an operator sees the cause change (the queue service
// back, the key now disabled).
func TestAForwardFailingForANewReasonIsLoggedAtOnce(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	l := newFailureLog(logs, "outbox", time.Minute)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return clock }
	down := errors.New("queue service unavailable")
	disabled := errors.New("the queue's KMS key is disabled")
	for range 3 { // 0s, 5s, 10s
		l.failed(message.NewMessage("m-1", nil), down)
		clock = clock.Add(5 * time.Second)
	}
	for range 3 { // 15s, 20s, 25s
		l.failed(message.NewMessage("m-1", nil), disabled)
		clock = clock.Add(5 * time.Second)
	}

	errs := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, errs, 2, "the first failure, then the first of the new reason")
	assert.EqualError(t, errs[0].Err, down.Error())
	assert.EqualError(t, errs[1].Err, disabled.Error())
	assert.Equal(t, 3, errs[1].Fields["failed_attempts"], "the two held back and this one")
}
