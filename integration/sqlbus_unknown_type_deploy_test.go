//go:build integration

package integration

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type deployBumped struct{}

type deployTiered struct {
	Tier string `json:"tier"`
}

// A rolling deploy of a service on one consumer group: events of a type
// only the newer version handles, raised once the newer version's deploy
// began (its first Start widened the group's event type filter; readers
// are deployed before writers), reach the older instance, still running,
// first. It retries them rather than dead-letter them at once, and when it
// stops (as the rolling deploy stops it, once the newer instance runs) it
// hands them back to the consumer group: the newer instance handles every
// one and nothing is dead-lettered.
func TestSQLBusAnOlderInstanceHandsBackOnStopAnEventTypeOnlyANewerOneHandles(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := sqlbusName("deploy", "events")
		dropSQLBusTables(t, d, db, topic)
		cfg := sqlbusConfig(d, db)
		cfg.MaxDeliveries, cfg.RedeliveryDelay = 5, time.Second // 15s of pauses: the older instance stops first
		var olderFailed atomic.Int64
		older := deployInstance(t, cfg, topic, cqrs.Hooks{EventSubscribe: []message.HandlerMiddleware{countFailures(&olderFailed)}})
		require.NoError(t, older.Start(context.Background()))
		// The newer version's Start, elsewhere, widened the group's filter:
		// widened here, the older instance is sure to take the events first.
		require.NoError(t, sqlbus.WidenEventFilter(context.Background(), cfg, topic, "orders", "deploy.Tiered"))
		sender := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "web"})
		require.NoError(t, cqrs.RegisterEvent[deployTiered](sender, "deploy.Tiered", topic))
		require.NoError(t, sender.Start(context.Background()))
		ctx := context.Background()
		const n = 20
		for i := range n {
			_, err := sender.EventQueue().Raise(ctx, "e-1", deployTiered{Tier: "gold"})
			require.NoError(t, err, i)
		}
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Positive(c, olderFailed.Load(), "the older instance received one of the new type")
		}, 30*time.Second, 20*time.Millisecond)

		newer := deployInstance(t, cfg, topic, cqrs.Hooks{})
		var mu sync.Mutex
		handled := map[string]bool{} // message ids: delivery is at least once
		require.NoError(t, cqrs.RegisterEvent[deployTiered](newer, "deploy.Tiered", topic))
		require.NoError(t, cqrs.React(cqrs.NewAggregate(newer, "o"), func(_ context.Context, _ *cqrs.Aggregate, _ deployTiered, env cqrs.Envelope) error {
			mu.Lock()
			defer mu.Unlock()
			handled[env.MessageID] = true
			return nil
		}))
		require.NoError(t, newer.Start(context.Background()))
		require.NoError(t, older.Close())

		require.EventuallyWithT(t, func(c *assert.CollectT) {
			mu.Lock()
			defer mu.Unlock()
			assert.Len(c, handled, n, "the newer instance handled every event")
		}, 60*time.Second, 50*time.Millisecond)
		dead, _, err := sqlbus.DeadLetters(ctx, cfg, topic, sqlbus.DeadLetterQuery{Max: 100})
		require.NoError(t, err)
		assert.Empty(t, dead, "no event of the new type was dead-lettered")
	})
}

// deployInstance returns an instance of the "orders" service listening to
// topic, where it reacts to deploy.Bumped; the caller starts it.
func deployInstance(t *testing.T, cfg sqlbus.Config, topic string, hooks cqrs.Hooks) *cqrs.Service {
	t.Helper()
	svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "orders", Listen: []string{topic}, Hooks: hooks})
	require.NoError(t, cqrs.RegisterEvent[deployBumped](svc, "deploy.Bumped", topic))
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "o"),
		func(context.Context, *cqrs.Aggregate, deployBumped, cqrs.Envelope) error { return nil }))
	return svc
}

// countFailures is a subscribe hook counting the handler failures.
func countFailures(n *atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil {
				n.Add(1)
			}
			return out, err
		}
	}
}
