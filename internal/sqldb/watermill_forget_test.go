package sqldb_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A subscriber whose group's position is forgotten while it runs reads on
// from the first row kept, and its group is back.
func TestForgetGroupOfARunningSubscriber(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		topic, group := uniqueName("forget"), "g"
		dropTopicTables(t, d, db, topic)
		sub := pollSubscriber(t, d, db, topic, group, 30*time.Second)
		defer sub.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		msgs, err := sub.Subscribe(ctx, topic)
		require.NoError(t, err)
		var n atomic.Int64
		go func() {
			for m := range msgs {
				n.Add(1)
				m.Ack()
			}
		}()
		pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{SchemaAdapter: sqldb.WatermillSchema("test", d, 10, nil)}, nil)
		require.NoError(t, err)
		for i := range 3 {
			require.NoError(t, pub.Publish(topic, message.NewMessage(strconv.Itoa(i), []byte(`"x"`))))
		}
		require.Eventually(t, func() bool { return n.Load() == 3 }, 10*time.Second, 10*time.Millisecond)
		removed, err := sqldb.ForgetGroup(ctx, db, d, topic, group)
		require.NoError(t, err)
		require.True(t, removed)
		for i := range 3 {
			require.NoError(t, pub.Publish(topic, message.NewMessage(strconv.Itoa(10+i), []byte(`"x"`))))
		}
		require.Eventually(t, func() bool { return n.Load() >= 6 }, 10*time.Second, 10*time.Millisecond,
			"the rows published after the group was forgotten are read")
		require.Eventually(t, func() bool { // the poll acknowledges once its batch is handled
			groups, err := sqldb.Groups(ctx, db, d, topic)
			return err == nil && len(groups) == 1 && groups[0] == sqldb.GroupBacklog{Group: group}
		}, 10*time.Second, 10*time.Millisecond, "the group is back, with nothing ahead")
	})
}
