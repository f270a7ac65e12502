package cqrs_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

type auditOrder struct{}

// A saga state stored before its type changed incompatibly (here amount
// was a string) can never decode again: a handler that reads it through
// Saga.Load fails permanently, as the saga's own handler does, and its
// message is dead-lettered at once instead of being redelivered.
func TestASagaStateThatNoLongerDecodesIsAPermanentFailureForItsReaders(t *testing.T) {
	docs := cqrs.NewMemoryStore()
	app := newOrderApp(t, cqrs.ServiceConfig{EntityStore: docs})
	require.NoError(t, cqrs.RegisterCommand[auditOrder](app.svc, "audit.AuditOrder", "orders"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[struct{}](app.svc, "audit"),
		func(ctx context.Context, _ *struct{}, _ auditOrder, env cqrs.Envelope) ([]any, error) {
			_, _, err := app.orders.Load(ctx, env.EntityID)
			return nil, err
		}))
	app.start(t)
	ctx := context.Background()
	old := base64.StdEncoding.EncodeToString([]byte(`{"amount":"five"}`))
	require.NoError(t, docs.Save(ctx, "order", "o-old", []byte(`{"state":"`+old+`"}`), 0))

	require.NoError(t, docs.Save(ctx, "order", "o-corrupt", []byte("{not json"), 0))
	for _, id := range []string{"o-old", "o-corrupt"} {
		_, found, err := app.orders.Load(ctx, id)
		require.Error(t, err, id)
		assert.True(t, sourceflow.IsPermanent(err), "Load %s: %v", id, err)
		assert.True(t, found, "%s is stored, as a view model that does not decode is", id)
	}

	for _, cmd := range []any{auditOrder{}, CreateOrder{Amount: 1}} {
		_, err := app.agg.Send(ctx, "o-old", cmd)
		require.NoError(t, err, "the sender is not hurt")
	}
	dead := app.transport.DeadLetters()
	require.Len(t, dead, 2)
	for _, d := range dead {
		assert.Equal(t, 1, d.Deliveries, "a permanent failure is not redelivered: %s", d.Reason)
		assert.Contains(t, d.Reason, `saga order "o-old": stored state does not decode`)
	}
}
