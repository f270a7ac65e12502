package sqlbus

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// copyingPublisher records the dead letters it inserts and those it
// copies on the server.
type copyingPublisher struct {
	recordingPublisher
	copied []*message.Message
}

func (p *copyingPublisher) copyOnServer(_ string, m *message.Message) error {
	p.copied = append(p.copied, m)
	return nil
}

// TestDeadLetterOverThePacketIsCopiedOnTheServerWithItsReason: a dead
// letter that fits is inserted, as any message; one whose message alone
// is over the server's max_allowed_packet (stored under a larger one) is
// copied on the server instead, keeping its whole reason.
func TestDeadLetterOverThePacketIsCopiedOnTheServerWithItsReason(t *testing.T) {
	const limit = 64 << 10
	fake := &sqldbtest.DB{Values: map[string]int64{"max_allowed_packet": limit}}
	inner := &copyingPublisher{}
	pub := checkedPublisher{Publisher: inner, db: fake.Open(t), limit: &sqldb.PacketLimit{}}
	reason := strings.Repeat("r", 1000)

	small := message.NewMessage("small", []byte("{}"))
	small.Metadata.Set(sourceflow.MetaFailure, reason)
	big := message.NewMessage("big", []byte(strings.Repeat("n", limit)))
	big.Metadata.Set(sourceflow.MetaFailure, reason)
	require.NoError(t, pub.Publish("orders$dlq", small))
	require.NoError(t, pub.Publish("orders$dlq", big))

	require.Len(t, inner.got, 1, "the dead letter that fits is inserted")
	assert.Equal(t, "small", inner.got[0].UUID)
	require.Len(t, inner.copied, 1, "the one over the limit is copied on the server")
	assert.Equal(t, "big", inner.copied[0].UUID)
	assert.Equal(t, reason, inner.copied[0].Metadata.Get(sourceflow.MetaFailure), "its reason is kept whole")
	assert.Len(t, fake.Ran("max_allowed_packet"), 1, "the limit is read once")
}
