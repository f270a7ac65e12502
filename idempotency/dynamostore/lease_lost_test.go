package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// TestTransactionalHandlingWhoseLeaseWasTakenOverReportsALostLease: in
// transactional mode no renewal runs; a handler outliving its lease while
// another delivery takes the message over commits nothing, and the
// middleware reports the lost lease (the handler ran twice).
func TestTransactionalHandlingWhoseLeaseWasTakenOverReportsALostLease(t *testing.T) {
	api := dynamotest.Client(t)
	ctx := context.Background()
	clock := clocktest.NewManual(time.Now())
	idem, err := dynamostore.New(ctx, dynamostore.Config{Client: api, Table: dynamotest.Prefix() + "idempotency", Clock: clock})
	require.NoError(t, err)
	dynamotest.DropTables(t, api, idem.Table().Name)
	const lease = time.Minute
	m, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{
		Consumer: "saga", Transactional: true, Lease: lease, TxRetry: sourceflow.RetryPolicy{MaxRetries: -1},
	})
	require.NoError(t, err)
	key := idempotency.Key{Consumer: "saga", MessageID: "0::m-1"} // KeyOf of the untyped message m-1
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		clock.Advance(lease)
		res, err := idem.Claim(ctx, key, "", lease)
		require.NoError(t, err)
		require.Equal(t, idempotency.Acquired, res.Status, "another delivery takes the message over")
		return nil, nil
	})
	msg := message.NewMessage(watermill.NewUUID(), []byte("payload"))
	msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")

	_, err = h(msg)

	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	assert.Equal(t, uint64(1), m.Stats().LeasesLost)
	assert.Zero(t, m.Stats().Completed)
}
