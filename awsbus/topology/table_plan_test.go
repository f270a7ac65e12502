package topology_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

var (
	commandsTable = topology.Table{Name: "shop_commands", PartitionKey: "pk", SortKey: "sk"}
	recordsTable  = topology.Table{Name: "shop_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"}
)

func TestPlanCarriesTablesSortedAndOnce(t *testing.T) {
	p, err := topology.New(ordersBinding(), topology.Options{Tables: []topology.Table{commandsTable, recordsTable, commandsTable}})
	require.NoError(t, err)
	assert.Equal(t, []topology.Table{commandsTable, recordsTable}, p.Tables)
}

func TestPlanRefusesInvalidTables(t *testing.T) {
	other := commandsTable
	other.SortKey = "seq"
	for name, tc := range map[string]struct {
		tables []topology.Table
		want   string
	}{
		"bad name":         {[]topology.Table{{Name: "a b", PartitionKey: "pk"}}, `table "a b"`},
		"no partition key": {[]topology.Table{{Name: "shop_views"}}, `table "shop_views": no partition key`},
		"declared twice":   {[]topology.Table{commandsTable, other}, `table "shop_commands" declared twice, differently`},
		"one key twice": {[]topology.Table{{Name: "shop_views", PartitionKey: "id", SortKey: "id"}},
			`table "shop_views": partition key and sort key are both "id"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := topology.New(ordersBinding(), topology.Options{Tables: tc.tables})
			require.ErrorIs(t, err, topology.ErrInvalidPlan)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestFileRoundTripsTables(t *testing.T) {
	opts := topology.Options{Tables: []topology.Table{commandsTable, recordsTable}}
	text, back := roundTrip(t, ordersBinding(), opts)
	assert.Contains(t, text, "tables:\n")
	assert.Contains(t, text, "ttl_attribute: expires_at")
	p, err := back.Plan()
	require.NoError(t, err)
	assert.Equal(t, []topology.Table{commandsTable, recordsTable}, p.Tables)
}

func TestProvisionerNeedsADynamoDBClientForTables(t *testing.T) {
	prov, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: noSQS{}, SNS: noSNS{}})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{Tables: []topology.Table{commandsTable}})
	require.NoError(t, err)
	for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		_, err := prov.Apply(context.Background(), mode, p)
		require.ErrorIs(t, err, topology.ErrInvalidConfig, mode.String())
		assert.Contains(t, err.Error(), "ProvisionerConfig.DynamoDB is nil")
	}
}

// noSQS and noSNS are clients a test never calls.
type (
	noSQS struct{ topology.SQSAPI }
	noSNS struct{ topology.SNSAPI }
)
