package sqlbackend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestNewService_KeepsTheStateInTheDatabase builds a service with the
// Backend's NewService alone and checks that its saga state, its command
// and its view reach the database.
func TestNewService_KeepsTheStateInTheDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		b := d.open(t, sqlbackend.Config{Outbox: d.dialect != sourceflow.SQLite})
		transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
		require.NoError(t, err)
		name := "billing_" + strings.TrimSuffix(uniquePrefix(), "_")
		svc, err := b.NewService(ctx, cqrs.ServiceConfig{Name: name, Transport: transport, Listen: []string{"invoices", "invoice-events"}, Logger: watermill.NopLogger{}})
		require.NoError(t, err)
		cards := registerBilling(t, svc)
		require.NoError(t, svc.Start(ctx))
		t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

		_, err = cqrs.NewAggregate(svc, "invoice").Send(ctx, "inv-1", openInvoice{Amount: 42})
		require.NoError(t, err)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			doc, err := b.Store().Views().Load(ctx, "invoice-card", "inv-1")
			assert.NoError(c, err, "the view's model is not in the database")
			assert.JSONEq(c, `{"total":42}`, string(doc.Data))
		}, 20*time.Second, 20*time.Millisecond)
		state, err := b.Store().Entities().Load(ctx, "invoice", "inv-1")
		require.NoError(t, err, "the saga state is not in the database")
		assert.Equal(t, int64(1), state.Version, "the saga state was not saved once")
		stored, err := b.Store().Commands().Load(ctx, "inv-1")
		require.NoError(t, err)
		assert.Len(t, stored, 1, "the command is not in the database")
		card, found, err := cards.Get(ctx, "inv-1")
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, 42, card.Total)
	})
}

func TestNewService_RefusesWhatConfigureOrNewServiceRefuses(t *testing.T) {
	ctx := context.Background()
	b := dialects[0].open(t, sqlbackend.Config{})
	_, err := b.NewService(ctx, cqrs.ServiceConfig{Name: "billing", EntityStore: cqrs.NewMemoryStore()})
	assert.ErrorContains(t, err, "ServiceConfig.EntityStore", "a cfg with a store of its own")
	_, err = b.NewService(ctx, cqrs.ServiceConfig{})
	assert.ErrorContains(t, err, "ServiceConfig.Name", "an invalid cfg")
	assert.ErrorContains(t, err, "sqlbackend: NewService")
	require.NoError(t, b.Close())
	_, err = b.NewService(ctx, cqrs.ServiceConfig{Name: "billing"})
	assert.ErrorIs(t, err, sqlbackend.ErrClosed)
}
