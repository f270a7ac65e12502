package dynamobackend_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

func TestConfigure_FillsEveryStoreField(t *testing.T) {
	b, _ := open(t, dynamobackend.Config{})
	var cfg cqrs.ServiceConfig
	require.NoError(t, b.Configure(context.Background(), &cfg))
	assert.Empty(t, cqrstest.UnsetStores(cfg), "Configure left these ServiceConfig fields nil")
	assert.Same(t, b.Store().Commands(), cfg.CommandStore)
	assert.Same(t, b.Store().Entities(), cfg.EntityStore)
	assert.Same(t, b.Store().Views(), cfg.ViewStore)
	assert.Nil(t, cfg.Transport, "without Config.Outbox, Configure changed the transport")
}

// TestConfigure_PutsTheOutboxInFrontOfTheTransport checks that Configure
// puts an outbox in front of the service's transport, and that the
// Backend's Close closes it, closing the transport behind it, and closes
// the idempotency store.
func TestConfigure_PutsTheOutboxInFrontOfTheTransport(t *testing.T) {
	b, _ := open(t, dynamobackend.Config{Outbox: true})
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	cfg := cqrs.ServiceConfig{Name: "billing", Transport: inner}
	require.NoError(t, b.Configure(context.Background(), &cfg))
	assert.IsType(t, &dynamostore.Outbox{}, cfg.Transport)
	require.NoError(t, b.Close())
	pub, err := inner.Publisher("any")
	require.NoError(t, err)
	assert.ErrorContains(t, pub.Publish("any", message.NewMessage("m-1", nil)), "closed", "Close did not close the outbox, which closes the transport behind it")
	_, err = b.IdempotencyStore().Lookup(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "h")
	assert.ErrorIs(t, err, idempotency.ErrClosed, "Close left the idempotency store open")
}
