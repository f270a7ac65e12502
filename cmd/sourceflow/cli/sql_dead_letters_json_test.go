package cli_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A dead letter's reason, type and payload come from whoever published
// the message: in JSON, as in dlq peek -o json, the characters a terminal
// would act on are escapes.
func TestSQLDeadLettersJSON_EscapesWhatATerminalWouldActOn(t *testing.T) {
	msg := message.NewMessage("row-1", []byte("pay\u009b2J\u202eload"))
	msg.Metadata.Set(sourceflow.MetaType, "orders.Paid\u009b2J")
	dead := []cqrs.DeadLetter{{Destination: "payments.fifo", Message: msg, Reason: "boom\u009b2J\r\u202eforged"}}

	var out bytes.Buffer
	require.NoError(t, cli.SQLDeadLettersJSON(&out, dead, false, true))

	text := out.String()
	for _, raw := range []string{"\u009b", "\r", "\u202e"} {
		assert.NotContains(t, text, raw)
	}
	assert.Contains(t, text, `"reason": "boom\u009b2J\r\u202eforged"`)
	var back []struct {
		Type, Reason, Payload string
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &back))
	require.Len(t, back, 1)
	assert.Equal(t, "orders.Paid\u009b2J", back[0].Type, "the escapes read back as the text")
	assert.Equal(t, "boom\u009b2J\r\u202eforged", back[0].Reason)
	assert.Equal(t, "pay\u009b2J\u202eload", back[0].Payload)
}
