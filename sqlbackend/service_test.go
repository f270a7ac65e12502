package sqlbackend_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

type openInvoice struct {
	Amount int `json:"amount"`
}

type invoiceOpened struct {
	Amount int `json:"amount"`
}

type invoice struct {
	Amount int `json:"amount"`
}

type invoiceCard struct {
	Total int `json:"total"`
}

// TestService_RunsOnTheBackendAlone wires a service on nothing but the
// Backend (its stores, its transactional idempotency middleware and, on
// PostgreSQL and MySQL, its outbox) and checks that a command's saga
// state, its command log entry, its idempotency record and the view of
// the event it raised are all written.
func TestService_RunsOnTheBackendAlone(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		b := d.open(t, sqlbackend.Config{Outbox: d.dialect != sourceflow.SQLite})
		transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
		require.NoError(t, err)
		name := "billing_" + strings.TrimSuffix(uniquePrefix(), "_")
		cfg := cqrs.ServiceConfig{Name: name, Transport: transport, Listen: []string{"invoices", "invoice-events"}, Logger: watermill.NopLogger{}}
		require.NoError(t, b.Configure(ctx, &cfg))
		claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
		require.NoError(t, err)
		stack := middleware.NewStack()
		require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware))
		cfg.HandlerMiddleware = stack.HandlerMiddlewares()
		svc, cards := newBilling(t, cfg)
		require.NoError(t, svc.Start(ctx))
		t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

		sent, err := cqrs.NewAggregate(svc, "invoice").Send(ctx, "inv-1", openInvoice{Amount: 42})
		require.NoError(t, err)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			card, found, err := cards.Get(ctx, "inv-1")
			assert.NoError(c, err)
			assert.True(c, found, "the view never saw the event")
			assert.Equal(c, 42, card.Total)
			// The event's handling counts as completed once its
			// transaction committed: a moment after the view's row shows.
			assert.GreaterOrEqual(c, claims.Stats().Completed, uint64(2), "the command and the event were not both recorded as handled")
		}, 20*time.Second, 20*time.Millisecond)

		stored, err := b.Store().Commands().Load(ctx, "inv-1")
		require.NoError(t, err)
		require.Len(t, stored, 1)
		assert.Equal(t, sent.MessageID, stored[0].Envelope.MessageID)
		state, err := b.Store().Entities().Load(ctx, "invoice", "inv-1")
		require.NoError(t, err)
		assert.Equal(t, int64(1), state.Version, "the saga state was not saved once")
	})
}

// newBilling registers the billing types and handlers on a service made
// from cfg.
func newBilling(t *testing.T, cfg cqrs.ServiceConfig) (*cqrs.Service, *cqrs.View[invoiceCard]) {
	t.Helper()
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	return svc, registerBilling(t, svc)
}

// registerBilling registers the billing types and handlers on svc and
// returns the view of invoices.
func registerBilling(t *testing.T, svc *cqrs.Service) *cqrs.View[invoiceCard] {
	t.Helper()
	invoices := cqrs.NewSaga[invoice](svc, "invoice")
	cards := cqrs.NewView[invoiceCard](svc, "invoice-card")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[openInvoice](svc, "billing.OpenInvoice", "invoices"),
		cqrs.RegisterEvent[invoiceOpened](svc, "billing.InvoiceOpened", "invoice-events"),
		cqrs.Handle(invoices, func(_ context.Context, inv *invoice, c openInvoice, _ cqrs.Envelope) ([]any, error) {
			inv.Amount = c.Amount
			return []any{invoiceOpened(c)}, nil
		}),
		cqrs.Project(cards, func(_ context.Context, card *invoiceCard, e invoiceOpened, _ cqrs.Envelope) error {
			card.Total += e.Amount
			return nil
		}),
	))
	return cards
}
