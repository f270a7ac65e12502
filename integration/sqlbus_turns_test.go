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
)

// turnsWindow is how long the instances of a group are watched for a second
// handling while the first one runs.
const turnsWindow = 2 * time.Second

// TestSQLBusInstancesOfAGroupTakeTurns: two instances of one service
// listen to a destination; while one handles a message, neither handles
// another message of it, nor the same one again, and once the handling
// ends both messages are handled, each once (the other instance, which
// waited for its turn, starts from the position acknowledged meanwhile).
func TestSQLBusInstancesOfAGroupTakeTurns(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("turns", "")
		dropSQLBusTables(t, d, db, queue)
		release, started := make(chan struct{}), make(chan struct{}, 1)
		var running, most, handled atomic.Int64
		var instances []*cqrs.Service
		for range 2 {
			svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "turns-worker", Listen: []string{queue}})
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
			require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), func(context.Context, *Payment, PayOrder, cqrs.Envelope) ([]any, error) {
				n := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				notify(started)
				<-release
				handled.Add(1)
				return nil, nil
			}))
			instances = append(instances, svc)
		}
		sender := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "turns-sender"})
		require.NoError(t, cqrs.RegisterCommand[PayOrder](sender, "model.PayOrder", queue))
		free := closeOnce(release)
		t.Cleanup(free) // registered after the services, so it runs before they close
		startModel(t, append(instances, sender)...)

		for i := range 2 {
			_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d", i), PayOrder{Amount: 1})
			require.NoError(t, err)
		}
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("no handling started")
		}
		assert.Never(t, func() bool { return most.Load() > 1 }, turnsWindow, 10*time.Millisecond,
			"no second handling while the first one runs")
		free()
		require.Eventually(t, func() bool { return handled.Load() >= 2 }, 30*time.Second, 10*time.Millisecond, "both messages are handled")
		// Nothing failed and no ack deadline passed, so the instance that
		// waited reads from the position the other one acknowledged: a
		// second handling of either message is a read of an older position.
		assert.Never(t, func() bool { return handled.Load() > 2 }, turnsWindow/2, 10*time.Millisecond,
			"the waiting instance starts from what the other one acknowledged")
	})
}
