package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// BenchmarkSagaCommand sends one command and handles it with a saga whose
// state, command log and idempotency record share the database, in
// transactional mode (one transaction per handled message), on the
// synchronous in-process transport. It reports the statements the handling
// runs (claim, load, save, complete) apart from the sender's (next
// sequence, append). The saga raises no event: the synchronous transport
// refuses to publish inside the handling transaction.
func BenchmarkSagaCommand(b *testing.B) {
	for _, d := range benchDialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s, n := benchStore(b, d)
			var handled atomic.Int64
			svc := benchSagaService(b, d, s, n, &handled)
			agg, ctx := cqrs.NewAggregate(svc, "order"), context.Background()
			b.ReportAllocs()
			n.Store(0)
			i := 0
			for b.Loop() {
				i++
				if _, err := agg.Send(ctx, fmt.Sprintf("e-%d", i%100), txCreate{Amount: 1}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, n.Load())
			b.ReportMetric(float64(handled.Load())/float64(b.N), "handle-stmts/op")
		})
	}
}

func benchSagaService(b *testing.B, d dialect, s *sqlstore.Store, n, handled *atomic.Int64) *cqrs.Service {
	ctx := context.Background()
	table := uniquePrefix() + "idem"
	idem, err := idemsql.New(ctx, s.DB(), idemsql.Config{Dialect: d.dialect, Table: table})
	require.NoError(b, err)
	b.Cleanup(func() {
		_ = idem.Close()
		_, _ = s.DB().Exec("DROP TABLE IF EXISTS " + table)
		_, _ = s.DB().Exec("DROP TABLE IF EXISTS " + table + "_version")
	})
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(b, err)
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: tr, Listen: []string{"orders"},
		CommandStore: s.Commands(), EntityStore: s.Entities(), ViewStore: s.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{countHandling(n, handled), mw.Middleware},
	})
	require.NoError(b, err)
	require.NoError(b, errors.Join(
		cqrs.RegisterCommand[txCreate](svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterEvent[txCreated](svc, "orders.OrderCreated", "order-events"),
		cqrs.Handle(cqrs.NewSaga[txOrder](svc, "order"), func(_ context.Context, o *txOrder, c txCreate, _ cqrs.Envelope) ([]any, error) {
			o.Amount += c.Amount
			o.Commands++
			return nil, nil
		}),
	))
	require.NoError(b, svc.Start(ctx))
	b.Cleanup(func() {
		_ = svc.Close()
		require.Zero(b, tr.DeadLetterCount(), "every handling succeeded")
	})
	return svc
}

// countHandling adds the statements each handling runs to handled.
func countHandling(n, handled *atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			before := n.Load()
			out, err := h(msg)
			handled.Add(n.Load() - before)
			return out, err
		}
	}
}
