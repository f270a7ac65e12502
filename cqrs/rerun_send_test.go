package cqrs_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// conflictOnce is an EntityStore shared with another instance: on the first
// save of kind, the other instance saves the same document first.
type conflictOnce struct {
	cqrs.DocumentStore
	kind  string
	other func(ctx context.Context, store cqrs.DocumentStore, id string)
	once  sync.Once
}

func (s *conflictOnce) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if kind == s.kind {
		s.once.Do(func() { s.other(ctx, s.DocumentStore, id) })
	}
	return s.DocumentStore.Save(ctx, kind, id, data, version)
}

type Payments struct {
	Amounts []int `json:"amounts"`
}

// TestAReRunThatDecidesDifferentlySendsItsNewCommand: the order saga sends
// ProcessPayment{1} on a small order and {999} on a large one. Its first run
// sees a small order, but another instance saved a large one first; the
// re-run on the newer state sends {999}, which must reach the payment saga
// rather than be taken for a repeat of the first run's command.
func TestAReRunThatDecidesDifferentlySendsItsNewCommand(t *testing.T) {
	store := &conflictOnce{DocumentStore: cqrs.NewMemoryStore(), kind: "order"}
	store.other = func(ctx context.Context, shared cqrs.DocumentStore, id string) {
		state, err := json.Marshal(Order{Amount: 100, Commands: 1})
		require.NoError(t, err)
		doc, err := json.Marshal(map[string]any{"state": state})
		require.NoError(t, err)
		require.NoError(t, shared.Save(ctx, "order", id, doc, 0))
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newTransport(t),
		Listen: []string{"orders", "payments"}, EntityStore: store})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	agg := cqrs.NewAggregate(svc, "order")
	payments := cqrs.NewSaga[Payments](svc, "payment")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
		pay := ProcessPayment{Amount: 1}
		if o.Amount >= 100 {
			pay.Amount = 999
		}
		o.Amount += c.Amount
		_, err := agg.Send(ctx, env.EntityID, pay)
		return nil, err
	}))
	require.NoError(t, cqrs.Handle(payments, func(_ context.Context, p *Payments, c ProcessPayment, _ cqrs.Envelope) ([]any, error) {
		p.Amounts = append(p.Amounts, c.Amount)
		return nil, nil
	}))
	start(t, svc)
	_, err = agg.Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool {
		p, _, err := payments.Load(context.Background(), "o-1")
		return err == nil && slices.Contains(p.Amounts, 999)
	}, "the re-run's decision, a payment of 999, reaches the payment saga")
}
