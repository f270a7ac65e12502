//go:build integration

package integration

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestSQLBusASlowHandlerHoldsUpNoOtherDestination: while a handler of one
// destination runs (here until released), a message published meanwhile to
// another destination is handled. On PostgreSQL a message becomes visible
// only once every transaction with an id that began before it has ended;
// a subscription's poll that held one while its handler ran delayed every
// destination on the database by as long.
func TestSQLBusASlowHandlerHoldsUpNoOtherDestination(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		slowQ, fastQ := sqlbusName("slow", ""), sqlbusName("fast", "")
		dropSQLBusTables(t, d, db, slowQ, fastQ)
		release, slowStarted, fastHandled := make(chan struct{}), make(chan struct{}, 1), make(chan struct{}, 1)
		free := closeOnce(release)
		slow := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "slow", Listen: []string{slowQ}})
		fast := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "fast", Listen: []string{fastQ}})
		sender := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "sender"})
		t.Cleanup(free) // registered last, so it runs before the services close
		for _, svc := range []*cqrs.Service{slow, fast, sender} {
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", slowQ))
			require.NoError(t, cqrs.RegisterCommand[ConfirmOrder](svc, "model.ConfirmOrder", fastQ))
		}
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](slow, "payment"), func(context.Context, *Payment, PayOrder, cqrs.Envelope) ([]any, error) {
			notify(slowStarted)
			<-release
			return nil, nil
		}))
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[OrderState](fast, "order"), func(context.Context, *OrderState, ConfirmOrder, cqrs.Envelope) ([]any, error) {
			notify(fastHandled)
			return nil, nil
		}))
		startModel(t, slow, fast, sender)

		ctx := context.Background()
		_, err := cqrs.NewAggregate(sender, "order").Send(ctx, "order-1", PayOrder{Amount: 1})
		require.NoError(t, err)
		select {
		case <-slowStarted:
		case <-time.After(30 * time.Second):
			t.Fatal("the slow handler did not start")
		}
		began := time.Now()
		_, err = cqrs.NewAggregate(sender, "order").Send(ctx, "order-1", ConfirmOrder{})
		require.NoError(t, err)
		select {
		case <-fastHandled:
			t.Logf("%s: handled in %v while the other destination's handler ran", d, time.Since(began).Round(time.Millisecond))
		case <-time.After(15 * time.Second):
			t.Fatal("a message to another destination waited for a running handler")
		}
		free()
	})
}

// closeOnce returns a func that closes ch the first time it is called.
func closeOnce(ch chan struct{}) func() {
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// notify signals ch without blocking when it is already signalled.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
