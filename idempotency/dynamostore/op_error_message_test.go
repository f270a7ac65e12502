package dynamostore_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// An operation refused with one of idempotency's sentinels names this
// package, the operation and the key, as idempotency/sqlstore's do: the
// sentinel's "idempotency: " is left out, and errors.Is still matches it.
func TestOperationErrorsNameTheStoreOnly(t *testing.T) {
	ctx := context.Background()
	key, empty := idempotency.Key{Consumer: "c", MessageID: "m"}, idempotency.Key{Consumer: "c"}
	long := idempotency.Key{Consumer: "c", MessageID: strings.Repeat("x", dynamostore.MaxKeyLength+1)}
	status, body := fault("ConditionalCheckFailedException", "The conditional request failed")
	lost, _ := answeringStore(t, status, body) // every condition fails, no record returned
	expires := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	held, _ := answeringStore(t, status, strings.TrimSuffix(body, "}")+`,"Item":{"id":{"S":"1:c/m"},"status":{"S":"in_progress"},`+
		`"token":{"S":"t"},"payload_hash":{"S":"h1"},"expires_ms":{"N":"`+expires+`"}}}`)
	claim := func(s *dynamostore.Store, k idempotency.Key, hash string, d time.Duration) error {
		_, err := s.Claim(ctx, k, hash, d)
		return err
	}
	for _, tc := range []struct {
		err      error
		sentinel error
		want     string
	}{
		{claim(lost, empty, "", time.Minute), idempotency.ErrInvalidKey, "idempotency/dynamostore: claim c/: invalid key: the message id is empty"},
		{claim(lost, key, "", 0), idempotency.ErrInvalidDuration, "idempotency/dynamostore: claim c/m: invalid duration: 0s"},
		{claim(held, key, "h2", time.Minute), idempotency.ErrPayloadMismatch, "idempotency/dynamostore: claim c/m: key reused with a different payload"},
		{lost.Release(ctx, empty, "t"), idempotency.ErrInvalidKey, "idempotency/dynamostore: release c/: invalid key: the message id is empty"},
		{lost.Complete(ctx, key, "other", time.Minute), idempotency.ErrLeaseLost, "idempotency/dynamostore: complete c/m: lease lost"},
		{lost.Extend(ctx, key, "other", time.Minute), idempotency.ErrLeaseLost, "idempotency/dynamostore: extend c/m: lease lost"},
		{lost.Release(ctx, key, "other"), idempotency.ErrLeaseLost, "idempotency/dynamostore: release c/m: lease lost"},
	} {
		require.ErrorIs(t, tc.err, tc.sentinel, tc.want)
		assert.Equal(t, tc.want, tc.err.Error())
	}
	err := claim(lost, long, "", time.Minute)
	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	assert.True(t, strings.HasPrefix(err.Error(), "idempotency/dynamostore: claim c/xxx"), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), "idempotency"), err.Error())
}

// Complete joins the handling transaction; one that has ended refuses the
// write, and the error names this package, the operation and the key, as
// the other operations' errors do.
func TestCompleteInAnEndedHandlingNamesTheOperation(t *testing.T) {
	ctx := context.Background()
	idem, api := answeringStore(t, http.StatusOK, "{}")
	var kept context.Context
	require.NoError(t, idem.WithinTx(ctx, func(ctx context.Context) error { kept = ctx; return nil }))

	err := idem.Complete(kept, idempotency.Key{Consumer: "c", MessageID: "m"}, "t", time.Minute)

	require.ErrorIs(t, err, dynamo.ErrTxEnded)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Zero(t, api.count("UpdateItem")+api.count("TransactWriteItems"), "nothing is sent")
	assert.Equal(t, "idempotency/dynamostore: complete c/m: dynamodb: the transaction this context carries has ended", err.Error())
}
