//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestSQLBusLosesNoMessageUnderConcurrentPublishers has 8 goroutines send
// commands at once to a destination two instances listen to. Every command
// is handled, while the workers prune what they acknowledged as often as
// they can. (watermill-sql's own MySQL publisher lost a few of 800 such
// messages in most runs; sqlbus serializes a topic's inserts on MySQL.)
func TestSQLBusLosesNoMessageUnderConcurrentPublishers(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const senders, each = 8, 50
		queue := sqlbusName("burst", "")
		dropSQLBusTables(t, d, db, queue)
		runs, idem := &ledger{}, memoryIdempotency(t)
		pruning := sqlbusConfig(d, db)
		pruning.PruneInterval = time.Millisecond
		var svcs []*cqrs.Service
		for range 2 {
			svc := sqlbusService(t, pruning, cqrs.ServiceConfig{Name: "burst-worker", Listen: []string{queue},
				HandlerMiddleware: []message.HandlerMiddleware{idem}})
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
			require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), func(_ context.Context, _ *Payment, _ PayOrder, env cqrs.Envelope) ([]any, error) {
				runs.add("burst-worker", hPay, env)
				return nil, nil
			}))
			svcs = append(svcs, svc)
		}
		sender := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "burst-sender"})
		require.NoError(t, cqrs.RegisterCommand[PayOrder](sender, "model.PayOrder", queue))
		startModel(t, append(svcs, sender)...)

		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d-%d", s, i), PayOrder{Amount: i})
					require.NoError(t, err)
				}
			})
		}
		wg.Wait()
		require.Eventually(t, func() bool { return len(runs.messageIDs("burst-worker", hPay)) == senders*each },
			60*time.Second, 20*time.Millisecond, "every command is handled")
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Equal(c, 1, sqlbusRows(c, d, db, queue)) }, 30*time.Second, 10*time.Millisecond,
			"the workers pruned every acknowledged command but the last")
	})
}
