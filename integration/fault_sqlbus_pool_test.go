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
)

// TestFaultSQLBusPoolOfOneWedgesSilently: two instances on sqlbus with the
// SQL stores, each pool capped at one connection (below sqlbus's
// documented need of one per subscription plus the publishers'). The
// subscription holds the one connection while its handler waits for
// another for the store's transaction: nothing is ever handled, sends time
// out with "sqlstore: begin a transaction: context deadline exceeded", and
// nothing names the pool. Either NewTransport/Start should refuse the pool
// with an error naming MaxOpenConns, or the command should be handled.
func TestFaultSQLBusPoolOfOneWedgesSilently(t *testing.T) {
	r := newFaultRig(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN", 1, nil)
	agg := cqrs.NewAggregate(r.insts[0].svc, "payment")
	var err error
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(cqrs.ContextWithIdempotencyKey(context.Background(), "e-1"), 5*time.Second)
		defer cancel()
		_, err = agg.Send(ctx, "e-1", PayOrder{Amount: 1})
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "send e-1 on a pool of one: %v", err)
	assert.Eventually(t, func() bool {
		_, found, lerr := r.insts[0].saga.Load(context.Background(), "e-1")
		return lerr == nil && found
	}, 30*time.Second, 100*time.Millisecond, "e-1 handled on a pool of one (pools: %+v, %+v)",
		r.insts[0].db.Stats(), r.insts[1].db.Stats())
}
