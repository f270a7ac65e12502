package main

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// An amount that is not positive, or that would overflow a total, is
// refused permanently (dead-lettered at once with the reason, not retried)
// by both sagas and the summary view, and changes nothing.
func TestAmountsAreCheckedEverywhere(t *testing.T) {
	ctx := context.Background()
	for _, amount := range []int64{0, -1, math.MinInt64} {
		o := Order{Amount: 5}
		_, err := createOrder(ctx, &o, CreateOrder{OrderNo: 1, Amount: amount}, cqrs.Envelope{})
		assert.True(t, sourceflow.IsPermanent(err), "%v", err)
		assert.ErrorContains(t, err, "is not positive")
		assert.Equal(t, Order{Amount: 5}, o)

		p := Payment{Amount: 5}
		_, err = processPayment(ctx, &p, ProcessPayment{OrderNo: 1, Amount: amount}, cqrs.Envelope{})
		assert.True(t, sourceflow.IsPermanent(err), "%v", err)
		assert.Equal(t, Payment{Amount: 5}, p)
	}

	p := Payment{Amount: math.MaxInt64 - 1, Paid: []int64{1}, Payments: 1}
	_, err := processPayment(ctx, &p, ProcessPayment{OrderNo: 2, Amount: 2}, cqrs.Envelope{})
	assert.True(t, sourceflow.IsPermanent(err), "%v", err)
	assert.EqualError(t, err, "payment of order 2: amount 2 would take the total 9223372036854775806 past 9223372036854775807")
	assert.Equal(t, []int64{1}, p.Paid, "a refused payment does not mark its order paid")

	s := OrderSummary{Ordered: math.MaxInt64, Paid: math.MaxInt64}
	assert.True(t, sourceflow.IsPermanent(summarizeCreated(ctx, &s, OrderCreated{OrderNo: 3, Amount: 1}, cqrs.Envelope{})))
	assert.True(t, sourceflow.IsPermanent(summarizePaid(ctx, &s, PaymentProcessed{OrderNo: 3, Amount: -1}, cqrs.Envelope{})))
	assert.Equal(t, OrderSummary{Ordered: math.MaxInt64, Paid: math.MaxInt64}, s)
}

// The payment saga keeps at most maxPaidOrders order numbers per entity:
// a new order past it is refused permanently, saying why, while a repeat
// of an order already paid is still only counted as refused.
func TestPaymentStateStopsAtItsCap(t *testing.T) {
	ctx := context.Background()
	var p Payment
	for no := range int64(maxPaidOrders) {
		_, err := processPayment(ctx, &p, ProcessPayment{OrderNo: no, Amount: 1}, cqrs.Envelope{})
		require.NoError(t, err)
	}

	_, err := processPayment(ctx, &p, ProcessPayment{OrderNo: maxPaidOrders, Amount: 1}, cqrs.Envelope{})
	assert.True(t, sourceflow.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "order 10000: the entity already has 10000 paid orders, the most its payment state keeps")
	assert.Len(t, p.Paid, maxPaidOrders)
	assert.Equal(t, int64(maxPaidOrders), p.Amount)

	events, err := processPayment(ctx, &p, ProcessPayment{OrderNo: 7, Amount: 1}, cqrs.Envelope{})
	require.NoError(t, err)
	assert.Empty(t, events)
	assert.Equal(t, int64(1), p.Refused)
}
