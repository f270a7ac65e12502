package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

func TestPaymentIsTakenOncePerOrder(t *testing.T) {
	var p Payment
	for _, c := range []ProcessPayment{{OrderNo: 7, Amount: 10}, {OrderNo: 3, Amount: 5}, {OrderNo: 7, Amount: 10}} {
		_, err := processPayment(context.Background(), &p, c, cqrs.Envelope{})
		require.NoError(t, err)
	}
	assert.Equal(t, Payment{Payments: 2, Amount: 15, Paid: []int64{3, 7}, Refused: 1}, p)
}

func TestWorkloadExpectsEveryOrderOfAnEntity(t *testing.T) {
	w := newWorkload(5, 2, "p-")
	require.Equal(t, []string{"p-customer-0001", "p-customer-0002"}, w.entities)
	assert.Equal(t, OrderSummary{Customer: "p-customer-0001", Orders: 3, Ordered: 100 + 102 + 104, Payments: 3, Paid: 306},
		w.expected["p-customer-0001"])
	assert.Equal(t, int64(5), w.orders[4].cmd.OrderNo)
	assert.Len(t, newWorkload(4, 0, "p-").entities, 4)
}

// Many orders per entity accumulate in the saga state and the view.
func TestRunAccumulatesPerEntity(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "40", "-entities", "3"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   40")
	assert.Contains(t, out.String(), "payments processed: 40")
}

// With -store sqlite the services keep commands, state, views and
// idempotency records in one database file.
func TestRunOnSQLite(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	dsn := filepath.Join(t.TempDir(), "orders.db")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "40", "-entities", "4", "-store", "sqlite", "-dsn", dsn}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   40")
	assert.Contains(t, out.String(), "idempotency(sql)")
}

// The driver's stall watch ends the wait, naming the stall, only when no
// progress is reported for its duration; 0 never ends it.
func TestStallWatchEndsAWaitWithoutProgress(t *testing.T) {
	ctx, progressed, stop := stallWatch(context.Background(), 20*time.Millisecond)
	defer stop()
	progressed()
	<-ctx.Done()
	assert.EqualError(t, context.Cause(ctx), "no order completed for 20ms")

	ctx, progressed, stop = stallWatch(context.Background(), 0)
	progressed()
	require.NoError(t, ctx.Err())
	stop()
	assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
}
