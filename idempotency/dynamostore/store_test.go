package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency/idempotencytest"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// newStore returns a Store on a table of its own, dropped after the test.
func newStore(t *testing.T) *dynamostore.Store {
	t.Helper()
	api := dynamotest.Client(t)
	s, err := dynamostore.New(context.Background(), dynamostore.Config{Client: api, Table: dynamotest.Prefix() + "idempotency"})
	require.NoError(t, err)
	dynamotest.DropTables(t, api, s.Table().Name)
	return s
}

// TestConformance gives each subtest a Store of its own, which the suite
// may close, on one shared table.
func TestConformance(t *testing.T) {
	api := dynamotest.Client(t)
	table := newStore(t).Table().Name
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
		s, err := dynamostore.New(context.Background(), dynamostore.Config{
			Client: api, Table: table, Provisioning: topology.ProvisionAssume,
		})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return scoped{s, t.Name()}
	})
}

// scoped gives each conformance subtest consumers of its own on the shared
// table.
type scoped struct {
	*dynamostore.Store
	scope string
}

func (s scoped) key(k idempotency.Key) idempotency.Key {
	if k.Consumer != "" {
		k.Consumer = s.scope + "/" + k.Consumer
	}
	return k
}

func (s scoped) Claim(ctx context.Context, k idempotency.Key, hash string, lease time.Duration) (idempotency.ClaimResult, error) {
	return s.Store.Claim(ctx, s.key(k), hash, lease)
}

func (s scoped) Complete(ctx context.Context, k idempotency.Key, token string, ttl time.Duration) error {
	return s.Store.Complete(ctx, s.key(k), token, ttl)
}

func (s scoped) Extend(ctx context.Context, k idempotency.Key, token string, lease time.Duration) error {
	return s.Store.Extend(ctx, s.key(k), token, lease)
}

func (s scoped) Release(ctx context.Context, k idempotency.Key, token string) error {
	return s.Store.Release(ctx, s.key(k), token)
}

func TestConfigReportsEveryInvalidField(t *testing.T) {
	_, err := dynamostore.New(context.Background(), dynamostore.Config{Table: "x", Provisioning: 9})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Client is required")
	assert.Contains(t, err.Error(), `Table: topology: invalid name: table "x" (3 to 255 letters, digits, _ - .)`)
	assert.Contains(t, err.Error(), "Provisioning: 9, must be create, validate or assume")
}

func (s scoped) Lookup(ctx context.Context, k idempotency.Key, hash string) (bool, error) {
	return s.Store.Lookup(ctx, s.key(k), hash)
}
