//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// payOrders registers model.PayOrder on queue and the payment saga that
// handles it: each handling is recorded in runs under hPay, then adds the
// amount and counts the command. hold, when not nil, runs first.
func payOrders(t *testing.T, svc *cqrs.Service, queue string, runs *ledger, hold func(cqrs.Envelope)) *cqrs.Saga[Payment] {
	t.Helper()
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
	saga := cqrs.NewSaga[Payment](svc, "payment")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
		if hold != nil {
			hold(env)
		}
		runs.add(svc.Name(), hPay, env)
		s.Amount += c.Amount
		s.Commands++
		return nil, nil
	}))
	return saga
}

// assertOutageLostNothing waits until every command of sent is handled,
// then checks that nothing else was, that each of outageEntities was
// applied once, and that the command "during" the outage left nothing.
func assertOutageLostNothing(t *testing.T, svc *cqrs.Service, saga *cqrs.Saga[Payment], runs *ledger, sent []string) {
	t.Helper()
	require.Eventually(t, func() bool { return len(runs.messageIDs(svc.Name(), hPay)) >= len(sent) },
		outagePatience, 20*time.Millisecond, "every command committed before and after the outage is handled")
	assert.ElementsMatch(t, sent, runs.messageIDs(svc.Name(), hPay))
	ctx := context.Background()
	for _, entity := range outageEntities() {
		assert.Equal(t, Payment{Amount: 1, Commands: 1}, storedPayment(t, saga, entity), "%s applied once", entity)
	}
	_, found, err := saga.Load(ctx, "during")
	require.NoError(t, err)
	assert.False(t, found, "the command during the outage left nothing to handle")
}

// storedPayment waits until entity's payment is stored and returns it. The
// saga's handler records its run before the handling commits the state, so
// a test that saw the run must wait for the state too.
func storedPayment(t *testing.T, saga *cqrs.Saga[Payment], entity string) Payment {
	t.Helper()
	var p Payment
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var found bool
		var err error
		p, found, err = saga.Load(context.Background(), entity)
		require.NoError(c, err)
		require.True(c, found, entity)
	}, 30*time.Second, 10*time.Millisecond, "the payment of %s is stored", entity)
	return p
}
