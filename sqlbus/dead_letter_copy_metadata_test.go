package sqlbus

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A dead letter copied on the server sends its metadata as a parameter of
// the copy: when its reasons alone are over max_allowed_packet (a handler
// error quoting the payload), the copy is as much over the limit as an
// INSERT would be, the server resets the connection on every try and the
// message loops. Its reasons must be cut to fit the copy.
func TestDeadLetterCopiedOnTheServerSendsMetadataWithinThePacket(t *testing.T) {
	const limit = 64 << 10
	fake := &sqldbtest.DB{Values: map[string]int64{"max_allowed_packet": limit}}
	inner := &copyingPublisher{}
	pub := checkedPublisher{Publisher: inner, db: fake.Open(t), limit: &sqldb.PacketLimit{}}

	big := message.NewMessage("big", []byte(strings.Repeat("n", limit)))
	big.Metadata.Set(sourceflow.MetaFailure, "invalid payload: "+strings.Repeat("n", limit))
	require.NoError(t, pub.Publish("orders$dlq", big))

	require.Len(t, inner.copied, 1, "copied on the server")
	md, err := json.Marshal(inner.copied[0].Metadata)
	require.NoError(t, err)
	assert.Less(t, len(md), limit, "the copy's metadata parameter fits in max_allowed_packet")
}
