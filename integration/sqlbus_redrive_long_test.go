//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusRedriveMovesEveryDeadLetterOfALongList: a list longer than one
// of Redrive's transactions (100 dead letters) is moved whole, each dead
// letter once, in order, behind what the destination held.
func TestSQLBusRedriveMovesEveryDeadLetterOfALongList(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const letters = 250
		queue := sqlbusName("rdlong", "")
		dropSQLBusTables(t, d, db, queue)
		cfg := sqlbusConfig(d, db)
		cfg.PruneInterval = -1
		// A service that refuses every command dead-letters the first one,
		// which creates the dead-letter table; the rest are written to it
		// straight, as many dead letters.
		var refusing atomic.Bool
		refusing.Store(true)
		svc := payWorker(t, cfg, "rdlong-worker", queue, &ledger{}, &refusing)
		startModel(t, svc)
		first, err := cqrs.NewAggregate(svc, "payment").Send(context.Background(), "p-1", PayOrder{Amount: 1})
		require.NoError(t, err)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			dl, _, err := sqlbus.DeadLetters(context.Background(), cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.NotEmpty(c, dl)
		}, 30*time.Second, 10*time.Millisecond, "the command is dead-lettered")
		require.NoError(t, svc.Close())
		_, err = db.Exec("DELETE FROM " + quoteIdent(d, "watermill_"+sqlbus.DeadLetterTopic(queue)))
		require.NoError(t, err)
		dead := quoteIdent(d, "watermill_"+sqlbus.DeadLetterTopic(queue))
		insert := `INSERT INTO ` + dead + ` ("uuid", "payload", "metadata", "transaction_id") VALUES ($1, $2, $3, pg_current_xact_id())`
		if d == sourceflow.MySQL {
			insert = "INSERT INTO " + dead + " (`uuid`, `payload`, `metadata`) VALUES (?, ?, ?)"
		}
		var want []string
		for i := range letters {
			id := fmt.Sprintf("dead-%03d", i)
			_, err := db.Exec(insert, id, []byte(`{}`), `{"sf_failure":"card declined"}`)
			require.NoError(t, err)
			want = append(want, id)
		}

		n, err := sqlbus.Redrive(context.Background(), cfg, queue)
		require.NoError(t, err)
		assert.Equal(t, letters, n)
		left, _, err := sqlbus.DeadLetters(context.Background(), cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Empty(t, left)
		got := topicUUIDs(t, d, db, sqlbus.Topic(queue))
		assert.Equal(t, append([]string{first.MessageID}, want...), got,
			"every dead letter back once, in order, behind what the destination held")
	})
}
