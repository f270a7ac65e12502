package cqrs

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter's log line names its correlation id only when it is one
// sourceflow.ValidCorrelationID accepts: an oversize or unprintable id a
// sender chose does not reach the logs.
func TestDeadLetterFieldsLeaveOutAnInvalidCorrelationID(t *testing.T) {
	for corr, want := range map[string]any{
		"flow-7":                 "flow-7",
		strings.Repeat("c", 300): nil,
		"flow\nlevel=INFO":       nil,
	} {
		m := message.NewMessage("m-1", nil)
		m.Metadata.Set(sourceflow.MetaCorrelationID, corr)

		fields := deadLetterFields("ev", m, 1)

		assert.Equal(t, want, fields["correlation_id"], "%.20q", corr)
		assert.Equal(t, "m-1", fields["message_id"])
	}
}

// A dead letter's log line always names its message's UUID and type, which
// a sender chose, as sourceflow.IDText shows them: an oversize one cut, one
// with characters a terminal or a log line acts on escaped.
func TestDeadLetterFieldsBoundTheSendersUUIDAndType(t *testing.T) {
	for uuid, want := range map[string]string{
		"m-1":                        "m-1",
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		m := message.NewMessage(uuid, nil)
		m.Metadata.Set(sourceflow.MetaType, uuid)

		fields := deadLetterFields("ev", m, 1)

		assert.Equal(t, want, fields["message_id"], "%.20q", uuid)
		assert.Equal(t, want, fields["type"], "%.20q", uuid)
	}
}
