package main

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A sender who can put a ProcessPayment on the payments queue (the queue
// takes commands, not only those requestPayment sends) could lower an
// entity's total paid and record a payment event with a negative amount:
// processPayment refuses an amount that is not positive, as createOrder
// does.
func TestProcessPaymentRefusesANegativeAmount(t *testing.T) {
	var p Payment
	_, err := processPayment(context.Background(), &p, ProcessPayment{OrderNo: 1, Amount: -1_000_000}, cqrs.Envelope{})

	assert.Error(t, err, "a negative payment should be refused")
	assert.Zero(t, p.Amount, "the saga's total should not change")
}

// Two orders of a large positive amount would wrap the saga's int64 total
// to a negative number: the second is refused.
func TestOrderTotalsDoNotOverflow(t *testing.T) {
	var o Order
	for no := range int64(2) {
		_, _ = createOrder(context.Background(), &o, CreateOrder{OrderNo: no, Customer: "c", Amount: math.MaxInt64}, cqrs.Envelope{})
	}

	assert.GreaterOrEqual(t, o.Amount, int64(0), "the total of positive orders should never be negative")
}

// Every distinct order number paid stays in the payment saga's state, so a
// sender of ProcessPayment commands with fresh order numbers for one entity
// would grow that entity's state (loaded and stored whole at every command; DynamoDB refuses an
// item over 400 KB, after which the entity could take no payment): it
// keeps at most maxPaidOrders.
func TestPaymentStateIsBounded(t *testing.T) {
	var p Payment
	const forged = 100_000
	for no := range int64(forged) {
		_, _ = processPayment(context.Background(), &p, ProcessPayment{OrderNo: no, Amount: 1}, cqrs.Envelope{})
	}

	t.Logf("payment state of one entity holds %d order numbers", len(p.Paid))
	assert.Less(t, len(p.Paid), forged, "the state of one entity should not grow with every order number a sender invents")
}
