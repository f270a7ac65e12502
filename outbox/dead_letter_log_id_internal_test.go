package outbox

import (
	"encoding/json"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter's log line names the forwarded message by its message id
// (message_id: its sf_id, as the forwarder's failure lines, the other
// transports' lines and `sourceflow sql dead-letters` name it), not by the
// envelope's uuid, and the row by its own uuid (row_uuid).
func TestDeadLetterLogNamesTheForwardedMessageByItsMessageID(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	payload, err := json.Marshal(envelope{DestinationTopic: "orders", UUID: "wm-1", Metadata: map[string]string{sourceflow.MetaMessageID: "msg-7"}})
	require.NoError(t, err)

	logDeadLetter(logs, "obx", message.NewMessage("row-1", payload))

	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1)
	f := lines[0].Fields
	assert.Equal(t, []any{"msg-7", "row-1"}, []any{f["message_id"], f["row_uuid"]})
	assert.NotContains(t, f, "message_uuid")
	assert.NotContains(t, f, "forwarded_uuid")
}
