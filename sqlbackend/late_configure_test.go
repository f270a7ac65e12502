package sqlbackend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// A Configure made after cqrs.NewService changes nothing the service
// uses: its saga keeps its state in memory while the Backend's
// transactional idempotency middleware commits its records to SQL. The
// first handling says so.
func TestConfigureAfterNewService_IsWarnedOfAtTheFirstHandling(t *testing.T) {
	ctx := context.Background()
	b := dialects[0].open(t, sqlbackend.Config{})
	logs := watermill.NewCaptureLogger()
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	cfg := cqrs.ServiceConfig{Name: "billing", Transport: transport, Listen: []string{"invoices", "invoice-events"}, Logger: logs}
	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	stack := middleware.NewStack()
	require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware))
	cfg.HandlerMiddleware = stack.HandlerMiddlewares()
	svc, cards := newBilling(t, cfg)
	require.NoError(t, b.Configure(ctx, &cfg)) // too late: svc holds a copy of cfg
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })

	_, err = cqrs.NewAggregate(svc, "invoice").Send(ctx, "inv-1", openInvoice{Amount: 42})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, found, err := cards.Get(ctx, "inv-1")
		assert.NoError(c, err)
		assert.True(c, found, "the view never saw the event")
		assert.GreaterOrEqual(c, claims.Stats().Completed, uint64(2), "the command and the event were not both recorded as handled")
	}, 20*time.Second, 20*time.Millisecond)
	_, err = b.Store().Entities().Load(ctx, "invoice", "inv-1")
	require.ErrorIs(t, err, cqrs.ErrNotFound, "the saga state reached the database")
	assert.ElementsMatch(t, []any{"invoice/billing.OpenInvoice", "invoice-card/billing.InvoiceOpened"}, outsideTxHandlers(logs))
}

// outsideTxHandlers names the handlers logs holds a warning of, that
// their store does not join the idempotency middleware's transaction.
func outsideTxHandlers(logs *watermill.CaptureLoggerAdapter) []any {
	var handlers []any
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "does not join the transaction of the transactional idempotency middleware") {
			handlers = append(handlers, m.Fields["handler"])
		}
	}
	return handlers
}
