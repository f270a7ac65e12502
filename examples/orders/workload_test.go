package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// An OrderCreated projection can land after the payment it led to: its
// handling is redelivered (an instance died holding it) after the reaction
// that sent ProcessPayment had run. The driver waits for it instead of
// reporting the entity as mismatched.
func TestDriverWaitsForAnOrderProjectionThatLandsAfterItsPayment(t *testing.T) {
	ctx := context.Background()
	views := cqrs.NewMemoryStore()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "driver", ViewStore: views})
	require.NoError(t, err)
	view := newSummaryView(svc)
	w := newWorkload(2, 1, "p-")
	entity := w.entities[0]
	put := func(s OrderSummary, version int64) {
		raw, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, views.Save(ctx, "order-summary", entity, raw, version))
	}
	// Both payments are in; the second order's projection lands later.
	put(OrderSummary{Customer: entity, Orders: 1, Ordered: 100, Payments: 2, Paid: 100 + 101}, 0)
	late := time.AfterFunc(500*time.Millisecond, func() {
		put(OrderSummary{Customer: entity, Orders: 2, Ordered: 100 + 101, Payments: 2, Paid: 100 + 101}, 1)
	})
	defer late.Stop()
	sent := make(chan sendReport, 1)
	sent <- sendReport{sent: 2}
	tl, err := w.wait(ctx, view, sent, func(int) {})
	require.NoError(t, err)
	assert.Zero(t, tl.lost)
	assert.Zero(t, tl.duplicated)
	assert.Empty(t, tl.mismatched, "the driver read the summary before the late projection landed")
}
