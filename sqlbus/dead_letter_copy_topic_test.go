package sqlbus

import (
	"strings"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A dead-letter topic whose name a table name cannot hold is refused
// before any statement, as Publish refuses it: the server copy built its
// name into CREATE TABLE and INSERT ... SELECT unchecked.
func TestDeadLetterCopiedOnTheServerRefusesATopicATableCannotName(t *testing.T) {
	const limit = 64 << 10
	fake := &sqldbtest.DB{Values: map[string]int64{"max_allowed_packet": limit}, OneRow: []string{"GET_LOCK"}}
	db := fake.Open(t)
	pub := checkedPublisher{Publisher: newMySQLPublisher(db, wsql.DefaultMySQLSchema{}), db: db, limit: &sqldb.PacketLimit{}}

	topic := "x` (uuid) SELECT 1 -- " + deadLetterSuffix
	big := message.NewMessage("big", []byte(strings.Repeat("n", limit)))
	err := pub.Publish(topic, big)
	assert.ErrorIs(t, err, wsql.ErrInvalidTopicName)
	assert.Empty(t, fake.Ran("x`"), "no statement names the topic")
}
