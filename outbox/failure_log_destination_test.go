package outbox

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each destination has its own row of failures: forwards to another
// destination that go out meanwhile neither end it nor start it again, so
// a destination that keeps failing while the others flow is logged once,
// then its recovery once.
func TestForwardFailuresAreCountedPerDestination(t *testing.T) {
	row := func(destination string) *message.Message {
		payload, err := json.Marshal(envelope{DestinationTopic: destination, UUID: "wm-" + destination, Payload: []byte("{}")})
		require.NoError(t, err)
		return message.NewMessage("row-"+destination, payload)
	}
	logs := watermill.NewCaptureLogger()
	l := newFailureLog(logs, "outbox", time.Minute)
	down := errors.New("the queue's KMS key is disabled")

	l.failed(row("stuck"), down)
	l.succeeded(row("ok").Payload)
	l.failed(row("stuck"), down)
	l.succeeded(row("ok").Payload)
	assert.Len(t, logs.Captured()[watermill.ErrorLogLevel], 1, "the first failure only")
	assert.Empty(t, logs.Captured()[watermill.InfoLogLevel], "another destination's forwards end nothing")

	l.succeeded(row("stuck").Payload)
	infos := logs.Captured()[watermill.InfoLogLevel]
	require.Len(t, infos, 1)
	assert.Equal(t, 2, infos[0].Fields["failed_attempts"])
	assert.Equal(t, "stuck", infos[0].Fields["destination"])
}
