package main

import (
	"fmt"
	"math"

	"github.com/sourceflow-go/sourceflow"
)

// maxPaidOrders is how many order numbers the payment saga keeps per
// entity. Every command loads and stores the entity's whole state, and a
// store refuses a state past its item size (DynamoDB: 400 KB), after which
// the entity could take no payment at all; at 10,000 order numbers of at
// most 20 bytes each the state stays near 200 KB. A payment past the cap
// is refused, permanently, saying so. A service whose entities take more
// orders keeps one row per order (a view keyed by order number, say)
// instead of a list in the entity's state.
const maxPaidOrders = 10_000

// addAmount returns total+amount for the totals of order (an order, a
// payment), refusing permanently an amount that is not positive or that
// would take the total past math.MaxInt64: the command's sender chooses
// the amount, and a negative one or a wrapped total would corrupt the
// entity's state.
func addAmount(order string, total, amount int64) (int64, error) {
	if amount <= 0 {
		return total, sourceflow.Permanent(fmt.Errorf("%s: amount %d is not positive", order, amount))
	}
	if total > math.MaxInt64-amount {
		return total, sourceflow.Permanent(fmt.Errorf("%s: amount %d would take the total %d past %d",
			order, amount, total, int64(math.MaxInt64)))
	}
	return total + amount, nil
}

// checkPaidRoom refuses, permanently, a payment for an entity whose state
// already holds maxPaidOrders order numbers.
func checkPaidRoom(p *Payment, orderNo int64) error {
	if len(p.Paid) < maxPaidOrders {
		return nil
	}
	return sourceflow.Permanent(fmt.Errorf("order %d: the entity already has %d paid orders, the most its payment state keeps",
		orderNo, maxPaidOrders))
}
