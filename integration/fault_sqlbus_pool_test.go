//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestFaultSQLBusPoolOfOneIsRefused: two instances on sqlbus with the SQL
// stores, each pool capped at one connection (below sqlbus's documented
// need of one per subscription plus one for the handlers). The
// subscription would hold the one connection while its handler waits for
// another for the store's transaction: nothing would ever be handled, and
// sends would time out with "sqlstore: begin a transaction: context
// deadline exceeded", naming nothing of the pool. Start refuses the pool
// instead, with ErrInvalidConfig naming MaxOpenConns and the need; with
// the pool it asks for, the command is handled.
func TestFaultSQLBusPoolOfOneIsRefused(t *testing.T) {
	r := newUnstartedFaultRig(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.insts[0].svc.Start(ctx)
	require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Config.DB allows 1 open connections (MaxOpenConns)")
	assert.ErrorContains(t, err, "needs at least 2")

	r = newFaultRig(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", 2, nil)
	agg := cqrs.NewAggregate(r.insts[0].svc, "payment")
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(cqrs.ContextWithIdempotencyKey(context.Background(), "e-1"), 5*time.Second)
		defer cancel()
		_, err = agg.Send(ctx, "e-1", PayOrder{Amount: 1})
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "send e-1 on a pool of two: %v", err)
	assert.Equal(t, Payment{Amount: 1, Commands: 1}, storedPayment(t, r.check, "e-1"), "e-1 handled on a pool of two")
}
