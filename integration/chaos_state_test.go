//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chaosState is what the state check found, summed over entities.
type chaosState struct {
	handled    int // orders paid
	lost       int // orders whose send succeeded but that were never paid
	stuck      int // orders created but never paid
	duplicates int // side effects counted more than once: summary counts, commands sent twice
	unexpected int // payments of orders the entity was never sent
	refused    int // ProcessPayment commands the payment saga refused as already paid
}

// settled reports whether an entity's states agree: every order created is
// paid and shown in the summary. It is false while an order is mid-flow.
func settled(order soOrder, payment soPayment, summary soSummary) bool {
	k := int64(len(payment.Paid))
	return order.Orders == k && summary.Orders == k && summary.Payments == k
}

// unsettledEntities counts the entities whose states disagree.
func unsettledEntities(t *testing.T, states soStates, prefix string, size chaosSize) int {
	t.Helper()
	n := 0
	for id := range expectScaleOut(prefix, size.orders, size.entities) {
		if !settled(states.load(t, id)) {
			n++
		}
	}
	return n
}

// checkChaosState reads every entity's saga states, summary and command
// log through the run's store. An order whose send failed may be paid or
// not; every other order must be paid exactly once; every state must count
// exactly the orders paid, with their amounts (order i costs 99+i); and the
// command log must hold at most one CreateOrder and one ProcessPayment per
// order, exactly one of each for every order paid.
func checkChaosState(t *testing.T, st stateStores, states soStates, prefix string, size chaosSize, failed map[int64]bool) chaosState {
	t.Helper()
	var s chaosState
	for id, e := range expectScaleOut(prefix, size.orders, size.entities) {
		order, payment, summary := states.load(t, id)
		k := int64(len(payment.Paid))
		var amount int64
		for _, no := range payment.Paid {
			amount += 99 + no
			if !slices.Contains(e.orderNos, no) {
				s.unexpected++
			}
		}
		for _, no := range e.orderNos {
			if _, paid := slices.BinarySearch(payment.Paid, no); !paid && !failed[no] {
				s.lost++
			}
		}
		s.handled += int(k)
		s.stuck += int(max(order.Orders-k, 0))
		s.duplicates += int(max(summary.Orders-order.Orders, 0)+max(summary.Payments-k, 0)) + commandDuplicates(t, st, id, payment.Paid)
		s.refused += int(payment.Refused)
		if k == 0 {
			continue
		}
		assert.Equal(t, soOrder{Customer: e.customer, Orders: k, Amount: amount}, order, "order saga of %s", id)
		assert.Equal(t, soPayment{Payments: k, Amount: amount, Paid: payment.Paid, Refused: payment.Refused}, payment, "payment saga of %s", id)
		assert.Equal(t, soSummary{Customer: e.customer, Orders: k, Ordered: amount, Payments: k, Paid: amount}, summary,
			"order summary of %s", id)
	}
	return s
}

// commandDuplicates counts the commands an entity's log holds more than
// once for one order, and fails the test when a paid order lacks its
// CreateOrder or ProcessPayment.
func commandDuplicates(t *testing.T, st stateStores, entity string, paid []int64) int {
	t.Helper()
	cmds, err := st.Commands().Load(context.Background(), entity)
	require.NoError(t, err)
	seen := map[string]map[int64]int{}
	for _, c := range cmds {
		var p soOrderNo
		require.NoError(t, json.Unmarshal(c.Payload, &p), "payload of %s", c.Envelope.MessageID)
		if seen[c.Envelope.Type] == nil {
			seen[c.Envelope.Type] = map[int64]int{}
		}
		seen[c.Envelope.Type][p.OrderNo]++
	}
	dup := 0
	for _, typ := range []string{"orders.CreateOrder", "payments.ProcessPayment"} {
		for _, n := range seen[typ] {
			dup += max(n-1, 0)
		}
		for _, no := range paid {
			assert.Positive(t, seen[typ][no], "%s of paid order %d in the command log of %s", typ, no, entity)
		}
	}
	return dup
}
