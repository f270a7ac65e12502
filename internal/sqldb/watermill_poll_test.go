package sqldb_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// pollSubscriber returns a subscriber of topic in group polling as sqlbus's
// do. A deadline well above a handling's time keeps a loaded machine from
// taking a message back from a handler that still runs.
func pollSubscriber(t *testing.T, d sqldb.Dialect, db *sql.DB, topic, group string, deadline time.Duration) *wsql.Subscriber {
	t.Helper()
	sub, err := wsql.NewSubscriber(sqldb.WatermillBeginner("test", d, db, topic, group, 30*time.Second, ""), wsql.SubscriberConfig{
		ConsumerGroup:    group,
		AckDeadline:      &deadline,
		PollInterval:     5 * time.Millisecond,
		ResendInterval:   5 * time.Millisecond,
		SchemaAdapter:    sqldb.WatermillSchema("test", d, 10, nil),
		OffsetsAdapter:   sqldb.WatermillOffsets(d, db),
		InitializeSchema: true,
	}, nil)
	require.NoError(t, err)
	return sub
}

// dropTopicTables drops, after the test, the messages and offsets tables of
// topic.
func dropTopicTables(t *testing.T, d sqldb.Dialect, db *sql.DB, topic string) {
	t.Cleanup(func() {
		for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
			_, _ = db.Exec("DROP TABLE " + quote(d, table))
		}
	})
}

// Instances of a group polling a topic while rows are published and pruned
// and instances close in the middle of their batches: no two handle a row
// at once, none skips a row, and a poll has no transaction id while a
// handler runs.
func TestWatermillPollsOfAGroupTakeTurns(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		topic, group := uniqueName("polls"), "g"
		dropTopicTables(t, d, db, topic)
		require.NoError(t, pollSubscriber(t, d, db, topic, group, 30*time.Second).SubscribeInitialize(topic))
		pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{SchemaAdapter: sqldb.WatermillSchema("test", d, 10, nil)}, nil)
		require.NoError(t, err)

		const rows = 300
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // one publisher: rows commit in payload order
			defer wg.Done()
			for i := 1; i <= rows; i++ {
				if err := pub.Publish(topic, message.NewMessage(strconv.Itoa(i), []byte(`"`+strconv.Itoa(i)+`"`))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for ctx.Err() == nil {
				_, _ = sqldb.PruneConsumed(ctx, db, d, topic)
				select {
				case <-tick.C:
				case <-ctx.Done():
				}
			}
		}()

		var mu sync.Mutex
		handled := map[int]int{}
		highest := 0
		var running, overlaps, withXID atomic.Int64
		var skips []string
		instance := func(n int) {
			defer wg.Done()
			for k := 0; ctx.Err() == nil; k++ {
				sub := pollSubscriber(t, d, db, topic, group, 30*time.Second)
				msgs, err := sub.Subscribe(ctx, topic)
				if err != nil {
					if ctx.Err() == nil { // not the end of the test
						t.Error(err)
					}
					_ = sub.Close()
					return
				}
				closeAfter := 5 + (n*7+k*3)%17 // close in the middle of a batch now and then
				for i := 0; ; i++ {
					var msg *message.Message
					select {
					case msg = <-msgs:
					case <-ctx.Done():
					}
					if msg == nil {
						break
					}
					if running.Add(1) > 1 {
						overlaps.Add(1)
					}
					if d == sqldb.Postgres {
						if tx, ok := wsql.TxFromContext(msg.Context()); ok {
							if r, err := tx.QueryContext(msg.Context(), "SELECT pg_current_xact_id_if_assigned()::text"); err == nil {
								var xid sql.NullString
								if r.Next() && r.Scan(&xid) == nil && xid.Valid {
									withXID.Add(1)
								}
								_ = r.Close()
							}
						}
					}
					v, _ := strconv.Atoi(msg.UUID)
					mu.Lock()
					if v > highest+1 {
						skips = append(skips, strconv.Itoa(highest)+"->"+msg.UUID)
					}
					highest = max(highest, v)
					handled[v]++
					mu.Unlock()
					<-time.After(time.Duration(v%3) * time.Millisecond) // the handler's work
					running.Add(-1)
					if i == closeAfter {
						break // left unacknowledged: read again
					}
					msg.Ack()
				}
				_ = sub.Close()
			}
		}
		for n := range 3 {
			wg.Add(1)
			go instance(n)
		}
		require.Eventually(t, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(handled) == rows
		}, 60*time.Second, 50*time.Millisecond, "every row handled")
		cancel()
		wg.Wait()
		assert.Zero(t, overlaps.Load(), "handlings at once")
		assert.Zero(t, withXID.Load(), "handlings while the poll had a transaction id")
		assert.Empty(t, skips, "rows skipped")
	})
}
