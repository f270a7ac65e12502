package dynamostore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// settledThere claims in memory and completes and releases in a Store
// whose every request DynamoDB answers alike.
type settledThere struct {
	*idempotency.MemoryStore
	there *dynamostore.Store
}

func (s settledThere) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	return s.there.Complete(ctx, key, token, ttl)
}

func (s settledThere) Release(ctx context.Context, key idempotency.Key, token string) error {
	return s.there.Release(ctx, key, token)
}

// The middleware's error of a failed store operation names the operation
// and the key once, though this store's error names them too (and this
// package, whose name starts as idempotency's does), and errors.Is still
// reaches idempotency's sentinel.
func TestMiddlewareErrorOfThisStoreNamesTheOperationAndKeyOnce(t *testing.T) {
	ok := func(*message.Message) ([]*message.Message, error) { return nil, nil }
	failing := func(*message.Message) ([]*message.Message, error) { return nil, errors.New("handler failed") }
	for name, tc := range map[string]struct {
		fault    string
		settled  bool
		h        message.HandlerFunc
		sentinel error
		want     string
	}{
		"claim":    {"ResourceNotFoundException", false, ok, nil, "idempotency/dynamostore: claim c/0::m-1: "},
		"complete": {"ConditionalCheckFailedException", true, ok, idempotency.ErrLeaseLost, "idempotency/dynamostore: complete c/0::m-1: lease lost"},
		"release":  {"ResourceNotFoundException", true, failing, nil, "idempotency/dynamostore: release c/0::m-1: "},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := fault(tc.fault, "refused")
			there, _ := answeringStore(t, status, body)
			var store idempotency.Store = there
			if tc.settled {
				mem, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
				require.NoError(t, err)
				t.Cleanup(func() { _ = mem.Close() })
				store = settledThere{MemoryStore: mem, there: there}
			}
			m, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "c"})
			require.NoError(t, err)
			msg := message.NewMessage(watermill.NewUUID(), []byte("p"))
			msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")

			_, err = m.Middleware(tc.h)(msg)

			require.Error(t, err)
			if tc.sentinel != nil {
				require.ErrorIs(t, err, tc.sentinel)
			}
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), name+" c/0::m-1"), "%q", err)
			assert.Equal(t, 1, strings.Count(err.Error(), "idempotency"), "%q", err)
		})
	}
}

// A claim that finds the record changed at every attempt names the
// operation and the key once in the middleware's error too.
func TestMiddlewareErrorOfAClaimThatKeptChangingNamesItOnce(t *testing.T) {
	there, _ := answeringStore(t, http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",`+
		`"message":"refused","Item":{"token":{"S":"another delivery's token"}}}`)
	m, err := idempotency.NewMiddleware(there, idempotency.MiddlewareConfig{Consumer: "c"})
	require.NoError(t, err)
	msg := message.NewMessage(watermill.NewUUID(), []byte("p"))
	msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")

	_, err = m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)

	require.Error(t, err)
	assert.Equal(t, "idempotency/dynamostore: claim c/0::m-1: the record kept changing", err.Error())
}
