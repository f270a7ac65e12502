package topology_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// describingTables answers DescribeTable from its tables, or with err; the
// embedded nil interface makes any other call panic: assume mode may read
// a table's description and nothing else.
type describingTables struct {
	topology.TablesAPI
	tables    map[string]*types.TableDescription
	err       error
	described []string
}

func (d *describingTables) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	name := aws.ToString(in.TableName)
	d.described = append(d.described, name)
	if d.err != nil {
		return nil, d.err
	}
	desc, ok := d.tables[name]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	}
	return &dynamodb.DescribeTableOutput{Table: desc}, nil
}

// keyed describes a table with key attributes given as name, type pairs,
// the first the partition key.
func keyed(name string, keys ...string) *types.TableDescription {
	desc := &types.TableDescription{TableName: aws.String(name), TableStatus: types.TableStatusActive}
	for i := 0; i < len(keys); i += 2 {
		kind := types.KeyTypeHash
		if i > 0 {
			kind = types.KeyTypeRange
		}
		desc.KeySchema = append(desc.KeySchema, types.KeySchemaElement{AttributeName: aws.String(keys[i]), KeyType: kind})
		desc.AttributeDefinitions = append(desc.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(keys[i]), AttributeType: types.ScalarAttributeType(keys[i+1])})
	}
	return desc
}

var (
	idemTable  = topology.Table{Name: "shop_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"}
	viewsTable = topology.Table{Name: "shop_views", PartitionKey: "pk", SortKey: "sk"}
)

// Assume mode reads each table's description, and nothing else, and
// accepts the tables whose keys are the stores'.
func TestApplyTablesAssumeAcceptsTheStoresKeySchema(t *testing.T) {
	api := &describingTables{tables: map[string]*types.TableDescription{
		"shop_idempotency": keyed("shop_idempotency", "id", "S"),
		"shop_views":       keyed("shop_views", "pk", "S", "sk", "S"),
	}}

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionAssume, map[string]string{"team": "shop"}, idemTable, viewsTable)

	require.NoError(t, err)
	assert.Equal(t, []string{"shop_idempotency", "shop_views"}, api.described, "one DescribeTable per table")
}

// A table whose keys are not the stores' (other names, another type, a sort
// key too many) would refuse every request: assume mode fails with a
// *DriftError naming each such table, its keys and the keys wanted.
func TestApplyTablesAssumeRefusesAnotherKeySchema(t *testing.T) {
	for name, c := range map[string]struct {
		desc *types.TableDescription
		want string
	}{
		"other key name": {keyed("shop_idempotency", "pk", "S"), "key schema is (pk HASH S), want (id HASH S)"},
		"number key":     {keyed("shop_idempotency", "id", "N"), "key schema is (id HASH N), want (id HASH S)"},
		"sort key":       {keyed("shop_idempotency", "id", "S", "sk", "S"), "key schema is (id HASH S, sk RANGE S), want (id HASH S)"},
	} {
		t.Run(name, func(t *testing.T) {
			api := &describingTables{tables: map[string]*types.TableDescription{"shop_idempotency": c.desc}}

			err := topology.ApplyTables(context.Background(), api, topology.ProvisionAssume, nil, idemTable)

			var drift *topology.DriftError
			require.ErrorAs(t, err, &drift)
			require.Len(t, drift.Report.Drifts, 1)
			assert.Equal(t, "table", drift.Report.Drifts[0].Resource)
			assert.Equal(t, "shop_idempotency", drift.Report.Drifts[0].Name)
			assert.Contains(t, drift.Report.Drifts[0].Problem, c.want)
		})
	}
}

// A missing table fails assume mode with ErrNotFound, naming it, and the
// other tables are still checked: every problem is reported at once.
func TestApplyTablesAssumeReportsMissingTablesAndEveryDifference(t *testing.T) {
	api := &describingTables{tables: map[string]*types.TableDescription{"shop_views": keyed("shop_views", "key", "S")}}

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionAssume, nil, idemTable, viewsTable)

	require.ErrorIs(t, err, topology.ErrNotFound)
	assert.ErrorContains(t, err, "tables shop_idempotency: ")
	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	assert.Contains(t, drift.Error(), "table shop_views: key schema is (key HASH S), want (pk HASH S, sk RANGE S)")
}

// A policy made for assume mode before it read the tables lacks
// dynamodb:DescribeTable: the error says what to grant.
func TestApplyTablesAssumeNamesTheActionItIsDenied(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: dynamodb:DescribeTable"}
	api := &describingTables{err: denied}

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionAssume, nil, idemTable)

	require.ErrorIs(t, err, denied)
	assert.ErrorContains(t, err, "grant dynamodb:DescribeTable")
	assert.ErrorContains(t, err, "shop_idempotency")

	api.err = errors.New("connection refused")
	err = topology.ApplyTables(context.Background(), api, topology.ProvisionAssume, nil, idemTable)
	require.ErrorContains(t, err, "topology: describe table shop_idempotency: connection refused")
}

// Validate mode compares the key types too: a number key is drift.
func TestApplyTablesValidateComparesKeyTypes(t *testing.T) {
	desc := keyed("shop_views", "pk", "S", "sk", "N")
	desc.BillingModeSummary = &types.BillingModeSummary{BillingMode: types.BillingModePayPerRequest}
	api := &describingTables{tables: map[string]*types.TableDescription{"shop_views": desc}}

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionValidate, nil, viewsTable)

	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	assert.Equal(t, []topology.Drift{{Resource: "table", Name: "shop_views",
		Problem: "key schema is (pk HASH S, sk RANGE N), want (pk HASH S, sk RANGE S)"}}, drift.Report.Drifts)
}
