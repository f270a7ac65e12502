package outbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A row over max_allowed_packet is dead-lettered by a copy on the server
// that sends its metadata as a parameter: a reason itself over the limit
// (an error quoting the payload) is cut to what the copy can send, or the
// server would reset the connection on every try.
func TestDeadLetterCopiedOnTheServerSendsItsReasonWithinThePacket(t *testing.T) {
	const limit = 64 << 10
	f := &sqldbtest.DB{Values: map[string]int64{"max_allowed_packet": limit}}
	var dead deadletter.Counts
	p := deadLetterPublisher{db: f.Open(t), schema: schemaAdapter(sourceflow.MySQL), topic: "obx",
		logger: watermill.NopLogger{}, dead: &dead, limit: &sqldb.PacketLimit{}}

	row := message.NewMessage("row-1", []byte(`"`+strings.Repeat("n", limit)+`"`))
	row.Metadata.Set(middleware.ReasonForPoisonedKey, "invalid payload: "+strings.Repeat("n", limit))
	require.NoError(t, p.Publish(deadLetterTopic("obx"), row))

	require.Len(t, f.Ran("SHA2"), 1, "copied on the server")
	md, err := json.Marshal(row.Metadata)
	require.NoError(t, err)
	assert.Less(t, len(md), limit, "the copy's metadata parameter fits in max_allowed_packet")
	assert.Contains(t, row.Metadata.Get(sourceflow.MetaFailure), "invalid payload: nnn", "the reason's beginning is kept")
}
