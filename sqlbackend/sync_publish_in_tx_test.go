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

// A service whose stores stay in memory (built with cqrs.NewService, not
// the Backend's NewService) while the Backend's transactional idempotency
// middleware runs its handlers in a transaction on SQLite: the saga's raise
// on a synchronous ChannelTransport would wait, inside that transaction,
// for the view's handling, whose own transaction waits for SQLite's one
// writer, held by the saga's until it commits. The raise is refused at
// once instead, naming the remedy, and the command dead-lettered with it.
func TestSynchronousPublishInTheIdempotencyTransactionIsRefused(t *testing.T) {
	ctx := context.Background()
	b := dialects[0].open(t, sqlbackend.Config{})
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, transport.Close()) })
	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	stack := middleware.NewStack()
	require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware))
	name := "billing_" + strings.TrimSuffix(uniquePrefix(), "_")
	svc, cards := newBilling(t, cqrs.ServiceConfig{Name: name, Transport: transport, Listen: []string{"invoices", "invoice-events"},
		Logger: watermill.NopLogger{}, HandlerMiddleware: stack.HandlerMiddlewares()})
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

	sendCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = cqrs.NewAggregate(svc, "invoice").Send(sendCtx, "inv-1", openInvoice{Amount: 42})
	require.NoError(t, err, "the Send waited for a handling that waits for the database")
	dead := transport.DeadLetters()
	require.Len(t, dead, 1, "the command is dead-lettered before Send returns")
	assert.Equal(t, "invoices", dead[0].Destination)
	assert.Equal(t, 1, dead[0].Deliveries, "a permanent failure")
	assert.Contains(t, dead[0].Reason, cqrs.ErrPublishInTransaction.Error())
	_, found, err := cards.Get(ctx, "inv-1")
	require.NoError(t, err)
	assert.False(t, found, "the refused event reached the view")
}
