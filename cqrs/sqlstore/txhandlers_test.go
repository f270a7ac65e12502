package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type txPay struct{ Amount int }

// TestRolledBackHandlersRunAgainOnRedelivery: an event with two handlers (an
// aggregate reaction that sends a command, then a view) fails in the view, in
// transactional mode. The rollback undoes the command the reaction stored, so
// the redelivery must run the reaction again rather than skip it as already
// done: the command log ends with both commands, each once.
func TestRolledBackHandlersRunAgainOnRedelivery(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		f := &faults{point: "save", kind: "summary", published: map[string]int{}}
		app := newTxApp(t, d, f, func(svc *cqrs.Service) {
			require.NoError(t, cqrs.RegisterCommand[txPay](svc, "orders.Pay", "orders"))
			require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "order"), func(ctx context.Context, a *cqrs.Aggregate, e txCreated, env cqrs.Envelope) error {
				_, err := a.Send(ctx, env.EntityID, txPay(e))
				return err
			}))
			require.NoError(t, cqrs.Handle(cqrs.NewSaga[txOrder](svc, "payment"), func(_ context.Context, o *txOrder, c txPay, _ cqrs.Envelope) ([]any, error) {
				o.Amount += c.Amount
				o.Commands++
				return nil, nil
			}))
		})
		ctx := context.Background()
		_, err := cqrs.NewAggregate(app.svc, "order").Send(ctx, "e-1", txCreate{Amount: 5})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			stream, err := app.store.Commands().Load(ctx, "e-1")
			s, found, _ := app.summary.Get(ctx, "e-1")
			return err == nil && len(stream) >= 2 && found && s.Events == 1 && f.didFire()
		}, 20*time.Second, 5*time.Millisecond, "the fault fired, the view and the command log caught up")
		stream, err := app.store.Commands().Load(ctx, "e-1")
		require.NoError(t, err)
		require.Len(t, stream, 2)
		assert.Equal(t, []string{"orders.CreateOrder", "orders.Pay"}, []string{stream[0].Envelope.Type, stream[1].Envelope.Type})
		assert.Equal(t, []int64{1, 2}, []int64{stream[0].Envelope.Sequence, stream[1].Envelope.Sequence})
	})
}
