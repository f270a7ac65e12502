package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// TestUpgradeRecordOfPreviousReleaseAbsorbsRedelivery checks a rolling
// upgrade from the previous release (6ecb0dc), whose KeyOf keyed a message
// by its id alone: a typed message an instance of that release handled and
// completed, redelivered to an instance of this release (its delete lost
// when the old instance was stopped), must be acknowledged as a duplicate,
// not handled again. In a mixed fleet of examples/orders on DynamoDB the
// second handling applied an OrderCreated or PaymentProcessed to its view
// twice (the driver's "duplicated"), which neither version alone does.
func TestUpgradeRecordOfPreviousReleaseAbsorbsRedelivery(t *testing.T) {
	ctx := context.Background()
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	legacy := idempotency.Key{Consumer: "orders/order-events", MessageID: "m-1"} // 6ecb0dc's KeyOf
	res, err := store.Claim(ctx, legacy, "", time.Minute)
	require.NoError(t, err)
	require.NoError(t, store.Complete(ctx, legacy, res.Token, time.Hour))

	rec := newRecorder()
	// The lookup runs until LegacyKeysUntil: a date ahead of now keeps this
	// test independent of the default deadline.
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "orders/order-events", LegacyKeysUntil: time.Now().Add(24 * time.Hour)})
	msg := sfMessage("m-1", `{"order_no":1}`)
	msg.Metadata.Set(sourceflow.MetaType, "orders.OrderCreated")
	_, err = m.Middleware(rec.handle)(msg)
	require.NoError(t, err)
	assert.Zero(t, rec.count("m-1"), "the message the previous release completed was handled again")
}
