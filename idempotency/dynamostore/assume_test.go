package dynamostore_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// newAssuming runs New under ProvisionAssume on a DynamoDB that describes
// the table with describe.
func newAssuming(describe func() (int, string)) (*dynamostore.Store, *answeringDynamo, error) {
	d := &answeringDynamo{status: http.StatusOK, body: "{}", describe: describe, ops: map[string]int{}}
	s, err := dynamostore.New(context.Background(), dynamostore.Config{Client: answeringClient(d), Provisioning: topology.ProvisionAssume})
	return s, d, err
}

// Under ProvisionAssume, New reads the table's description once and
// nothing else, and starts on a table with the store's keys.
func TestNewAssumingReadsTheKeySchemaOnce(t *testing.T) {
	s, d, err := newAssuming(storeTable)

	require.NoError(t, err)
	assert.NotNil(t, s)
	assert.Equal(t, map[string]int{"DescribeTable": 1}, d.ops)
}

// A table made elsewhere whose keys are not the store's would refuse every
// claim as invalid, dead-lettering every message: New refuses it instead,
// naming the table, its keys and the store's.
func TestNewAssumingRefusesATableWithOtherKeys(t *testing.T) {
	for name, keys := range map[string]string{
		"other name":  `"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]`,
		"number type": `"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, d, err := newAssuming(func() (int, string) {
				return http.StatusOK, `{"Table":{"TableName":"sourceflow_idempotency","TableStatus":"ACTIVE",` + keys + `}}`
			})

			require.ErrorIs(t, err, topology.ErrDrift)
			assert.ErrorContains(t, err, "idempotency/dynamostore: ")
			assert.ErrorContains(t, err, "table sourceflow_idempotency: key schema is (")
			assert.ErrorContains(t, err, "want (id HASH S)")
			assert.Equal(t, map[string]int{"DescribeTable": 1}, d.ops)
		})
	}
}

// A missing table fails New under ProvisionAssume, naming it.
func TestNewAssumingRefusesAMissingTable(t *testing.T) {
	_, _, err := newAssuming(func() (int, string) { return fault("ResourceNotFoundException", "Requested resource not found") })

	require.ErrorIs(t, err, topology.ErrNotFound)
	assert.ErrorContains(t, err, "sourceflow_idempotency")
}
