//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// The state types of examples/orders as stored (JSON), read back by the
// scale-out test.
type (
	soOrder struct {
		Customer string `json:"customer"`
		Orders   int64  `json:"orders"`
		Amount   int64  `json:"amount"`
	}
	soPayment struct {
		Payments int64   `json:"payments"`
		Amount   int64   `json:"amount"`
		Paid     []int64 `json:"paid"`
		Refused  int64   `json:"refused"`
	}
	soSummary struct {
		Customer string `json:"customer"`
		Orders   int64  `json:"orders"`
		Ordered  int64  `json:"ordered"`
		Payments int64  `json:"payments"`
		Paid     int64  `json:"paid"`
	}
	soOrderNo struct {
		OrderNo int64 `json:"order_no"`
	}
)

// soEntity is what one entity of the scale-out run must end with: what a
// single instance computes from the orders sent to it.
type soEntity struct {
	customer string
	orderNos []int64
	amount   int64
}

// expectScaleOut computes, from the orders the driver sends (order i of
// 1..n goes to entity <prefix>customer-<(i-1)%entities+1> with amount 99+i),
// what every entity must end with.
func expectScaleOut(prefix string, n, entities int) map[string]*soEntity {
	out := map[string]*soEntity{}
	for i := range n {
		id := fmt.Sprintf("%scustomer-%04d", prefix, i%entities+1)
		e := out[id]
		if e == nil {
			e = &soEntity{customer: id}
			out[id] = e
		}
		e.orderNos = append(e.orderNos, int64(i+1))
		e.amount += int64(100 + i)
	}
	return out
}

// stateStores are the stores a run's state is read back from: the SQL or
// the DynamoDB store the example ran on.
type stateStores interface {
	Commands() cqrs.CommandStore
	Entities() cqrs.EntityStore
	Views() cqrs.ViewStore
}

// soStates reads the example's states of an entity through the run's store.
type soStates struct {
	orders    *cqrs.Saga[soOrder]
	payments  *cqrs.Saga[soPayment]
	summaries *cqrs.View[soSummary]
}

func newSOStates(t *testing.T, st stateStores) soStates {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "state-check", CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: st.Views(),
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	return soStates{cqrs.NewSaga[soOrder](svc, "order"), cqrs.NewSaga[soPayment](svc, "payment"), cqrs.NewView[soSummary](svc, "order-summary")}
}

// load returns an entity's order saga, payment saga and order summary.
func (s soStates) load(t *testing.T, id string) (soOrder, soPayment, soSummary) {
	t.Helper()
	ctx := context.Background()
	order, _, err := s.orders.Load(ctx, id)
	require.NoError(t, err)
	payment, _, err := s.payments.Load(ctx, id)
	require.NoError(t, err)
	summary, _, err := s.summaries.Get(ctx, id)
	require.NoError(t, err)
	return order, payment, summary
}

// soReport is what the state check found, summed over entities.
type soReport struct {
	completed, duplicated, refused int
}

// checkScaleOutState reads every entity's saga states, summary and command
// log through the run's store and compares them with the expected ones.
func checkScaleOutState(t *testing.T, st stateStores, want map[string]*soEntity) soReport {
	t.Helper()
	states := newSOStates(t, st)
	var r soReport
	for id, e := range want {
		k := int64(len(e.orderNos))
		order, payment, summary := states.load(t, id)
		r.completed += int(min(summary.Payments, k))
		r.duplicated += int(max(summary.Orders-k, 0) + max(summary.Payments-k, 0) + max(payment.Payments-k, 0))
		r.refused += int(payment.Refused)
		assert.Equal(t, soOrder{Customer: e.customer, Orders: k, Amount: e.amount}, order, "order saga of %s", id)
		assert.Equal(t, soPayment{Payments: k, Amount: e.amount, Paid: e.orderNos, Refused: payment.Refused}, payment,
			"payment saga of %s", id)
		assert.Equal(t, soSummary{Customer: e.customer, Orders: k, Ordered: e.amount, Payments: k, Paid: e.amount}, summary,
			"order summary of %s", id)
		checkCommandLog(t, st, id, e.orderNos)
	}
	return r
}

// checkCommandLog asserts that an entity's command log numbers its commands
// 1..N with no gap or duplicate, and holds each order's CreateOrder and
// ProcessPayment exactly once.
func checkCommandLog(t *testing.T, st stateStores, entity string, orderNos []int64) {
	t.Helper()
	cmds, err := st.Commands().Load(context.Background(), entity)
	require.NoError(t, err)
	byType := map[string][]int64{}
	seqs := make([]int64, 0, len(cmds))
	for _, c := range cmds {
		seqs = append(seqs, c.Envelope.Sequence)
		var p soOrderNo
		require.NoError(t, json.Unmarshal(c.Payload, &p), "payload of %s", c.Envelope.MessageID)
		byType[c.Envelope.Type] = append(byType[c.Envelope.Type], p.OrderNo)
	}
	assert.Equal(t, oneTo(2*len(orderNos)), seqs, "sequence numbers of %s", entity)
	for _, typ := range []string{"orders.CreateOrder", "payments.ProcessPayment"} {
		got := slices.Clone(byType[typ])
		slices.Sort(got)
		assert.Equal(t, orderNos, got, "%s commands of %s", typ, entity)
	}
}
