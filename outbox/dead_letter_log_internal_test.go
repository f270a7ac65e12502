package outbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
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
		assert.Equal(t, "m-1", lines[0].Fields["message_id"])
	}
}

// The outbox counts its forwarder's dead letters by the destination each
// row was for, and under no destination ("") a row that names none it can
// use as a metric attribute: no envelope, or a destination over 256 bytes.
// They are not counted with a destination named as the outbox topic.
func TestDeadLettersAreCountedByTheirDestination(t *testing.T) {
	db := (&sqldbtest.DB{}).Open(t)
	var dead deadletter.Counts
	p := deadLetterPublisher{db: db, schema: schemaAdapter(sourceflow.Postgres), topic: "obx", logger: watermill.NopLogger{}, dead: &dead}
	row := func(id, destination string) *message.Message {
		payload, err := json.Marshal(envelope{DestinationTopic: destination, UUID: "m-" + id})
		require.NoError(t, err)
		return message.NewMessage(id, payload)
	}
	msgs := []*message.Message{row("1", "orders"), row("2", "orders"), row("3", strings.Repeat("d", 300)), message.NewMessage("4", []byte("not json")), row("5", "obx")}

	require.NoError(t, p.publish(wsql.BeginnerFromStdSQL(db), deadLetterTopic("obx"), msgs))

	assert.Equal(t, map[string]int64{"orders": 2, "": 2, "obx": 1}, dead.Snapshot())
	box := &Transport{}
	box.dead.Add("orders")
	assert.Equal(t, map[string]int64{"orders": 1}, box.DeadLettersByDestination())
}

// A dead letter's log line always names the row's id, the forwarded
// message's and its destination, which a sender chose, as
// sourceflow.IDText shows them: an
// oversize one cut, one with characters a terminal or a log line acts on
// escaped.
func TestDeadLetterLogBoundsTheSendersUUIDs(t *testing.T) {
	for uuid, want := range map[string]string{
		"m-1":                        "m-1",
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		logs := watermill.NewCaptureLogger()
		payload, err := json.Marshal(envelope{DestinationTopic: uuid, UUID: uuid})
		require.NoError(t, err)
		dest := logDeadLetter(logs, "obx", message.NewMessage(uuid, payload))

		lines := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, lines, 1)
		assert.Equal(t, want, lines[0].Fields["message_id"], "%.20q", uuid)
		assert.Equal(t, want, lines[0].Fields["row_uuid"], "%.20q", uuid)
		assert.Equal(t, want, lines[0].Fields["destination"], "the row's destination is the sender's too: %.20q", uuid)
		assert.Equal(t, uuid, dest, "returned as it is, for counting")
	}
}
