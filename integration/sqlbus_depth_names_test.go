//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusDepthsNameTheDestinationAsGiven: the depths of a destination
// whose table name is encoded (uppercase letters) carry the destination as
// the caller named it, its messages and its dead letters alike (DLQ tells
// them apart), never the encoded topic.
func TestSQLBusDepthsNameTheDestinationAsGiven(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		dest := sqlbusName("Depth.Named", "")
		require.NotEqual(t, dest, sqlbus.Topic(dest), "the destination's topic is encoded")
		dropSQLBusTables(t, d, db, dest)
		cfg := sqlbusConfig(d, db)
		publishRaw(t, cfg, dest, message.NewMessage("m-1", []byte("{}")))
		got, err := sqlbus.Depths(context.Background(), cfg, "svc", dest)
		require.NoError(t, err)
		assert.Equal(t, []sourceflow.QueueDepth{
			{Queue: dest, Visible: 1},
			{Queue: dest, DLQ: true},
		}, got)
	})
}
