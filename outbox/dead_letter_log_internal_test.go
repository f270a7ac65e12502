package outbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter's log line names the forwarded message's correlation id
// only when sourceflow.ValidCorrelationID accepts it: an oversize or
// unprintable id a sender chose does not reach the logs.
func TestDeadLetterLogLeavesOutAnInvalidCorrelationID(t *testing.T) {
	for corr, want := range map[string]any{
		"corr-1":                 "corr-1",
		strings.Repeat("c", 300): nil,
		"corr\nlevel=INFO":       nil,
	} {
		logs := watermill.NewCaptureLogger()
		payload, err := json.Marshal(envelope{DestinationTopic: "orders", UUID: "m-1", Metadata: map[string]string{sourceflow.MetaCorrelationID: corr}})
		require.NoError(t, err)
		logDeadLetter(logs, "obx", message.NewMessage("row-1", payload))

		lines := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, lines, 1)
		assert.Equal(t, want, lines[0].Fields["correlation_id"], "%.20q", corr)
		assert.Equal(t, "m-1", lines[0].Fields["forwarded_uuid"])
	}
}
