//go:build integration

package integration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// chaosState is what the state check found, summed over entities.
type chaosState struct {
	handled    int // orders paid
	lost       int // orders whose send succeeded but that were never paid
	duplicates int // orders or payments counted more than once in any state
	unexpected int // payments of orders the entity was never sent
}

// checkChaosState reads every entity's saga states, summary and command
// log through cqrs/sqlstore. An order whose send failed may be paid or
// not; every other order must be paid exactly once, and every state must
// count exactly the orders paid, with their amounts (order i costs 99+i).
func checkChaosState(t *testing.T, st *sqlstore.Store, prefix string, size chaosSize, failed map[int64]bool) chaosState {
	t.Helper()
	states := newSOStates(t, st)
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
		s.duplicates += int(max(order.Orders-k, 0) + max(summary.Orders-k, 0) + max(summary.Payments-k, 0) + max(payment.Payments-k, 0))
		if k == 0 {
			continue
		}
		assert.Equal(t, soOrder{Customer: e.customer, Orders: k, Amount: amount}, order, "order saga of %s", id)
		assert.Equal(t, soPayment{Payments: k, Amount: amount, Paid: payment.Paid, Refused: payment.Refused}, payment, "payment saga of %s", id)
		assert.Equal(t, soSummary{Customer: e.customer, Orders: k, Ordered: amount, Payments: k, Paid: amount}, summary,
			"order summary of %s", id)
		checkSequences(t, st, id)
	}
	return s
}

// checkSequences asserts that an entity's command log never numbers two
// commands alike and numbers them in order.
func checkSequences(t *testing.T, st *sqlstore.Store, entity string) {
	t.Helper()
	cmds, err := st.Commands().Load(context.Background(), entity)
	require.NoError(t, err)
	for i := 1; i < len(cmds); i++ {
		if !assert.Less(t, cmds[i-1].Envelope.Sequence, cmds[i].Envelope.Sequence, "sequence numbers of %s", entity) {
			return
		}
	}
}

// chaosFigures are one scenario's figures.
type chaosFigures struct {
	scenario, fault string
	sent, failed    int
	state           chaosState
	absorbed        int // redeliveries the instances' idempotency absorbed
	deadLettered    int
	throttled       [3]int // SQS, SNS and KMS requests the HTTP front answered with an error
	recovery        time.Duration
	recovered       bool // progress followed the fault's end
	elapsed         time.Duration
}

func (f chaosFigures) String() string {
	return fmt.Sprintf("sent=%d acked=%d failed=%d handled=%d lost=%d duplicates=%d absorbed=%d dead-lettered=%d throttled=%s recovery=%s elapsed=%s",
		f.sent, f.sent-f.failed, f.failed, f.state.handled, f.state.lost, f.state.duplicates, f.absorbed, f.deadLettered,
		f.throttledText(), f.recoveryText(), f.elapsed.Round(time.Second))
}

// throttledText is the injected HTTP errors per service.
func (f chaosFigures) throttledText() string {
	if f.throttled == [3]int{} {
		return "–"
	}
	return fmt.Sprintf("SQS %d, SNS %d, KMS %d", f.throttled[0], f.throttled[1], f.throttled[2])
}

// recoveryText is the time from the fault's end to the next order paid.
func (f chaosFigures) recoveryText() string {
	if !f.recovered {
		return "–"
	}
	return f.recovery.Round(100 * time.Millisecond).String()
}

// chaosTable renders the figures as a Markdown table.
func chaosTable(size chaosSize, rows []chaosFigures) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d orders per scenario over %d entities, sent at %.0f/s; outages last %s; SQS visibility timeout %s.\n\n",
		size.orders, size.entities, size.rate, size.outage, visibility)
	b.WriteString("| scenario | fault | sent | acknowledged | send errors | handled | lost | duplicate side effects | redeliveries absorbed | dead-lettered | HTTP errors injected | time to recover | run |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n",
			f.scenario, f.fault, f.sent, f.sent-f.failed, f.failed, f.state.handled, f.state.lost, f.state.duplicates,
			f.absorbed, f.deadLettered, f.throttledText(), f.recoveryText(), f.elapsed.Round(time.Second))
	}
	return b.String()
}
