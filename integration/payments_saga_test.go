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
		p, found, err := saga.Load(ctx, entity)
		require.NoError(t, err)
		require.True(t, found, entity)
		assert.Equal(t, Payment{Amount: 1, Commands: 1}, p, "%s applied once", entity)
	}
	_, found, err := saga.Load(ctx, "during")
	require.NoError(t, err)
	assert.False(t, found, "the command during the outage left nothing to handle")
}
