package topology_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// existingTables are tables made elsewhere: CreateTable is refused as
// DynamoDB refuses it for an existing table, their time to live is off
// (or ttl, when set), they have no tags, and every write is recorded.
type existingTables struct {
	describingTables
	ttl    *types.TimeToLiveDescription
	writes []string
}

func (e *existingTables) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + aws.ToString(in.TableName))}
}

func (e *existingTables) DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	if e.ttl != nil {
		return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: e.ttl}, nil
	}
	return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}}, nil
}

func (e *existingTables) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	e.writes = append(e.writes, "UpdateTimeToLive "+aws.ToString(in.TableName))
	return &dynamodb.UpdateTimeToLiveOutput{}, nil
}

func (e *existingTables) ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	return &dynamodb.ListTagsOfResourceOutput{}, nil
}

func (e *existingTables) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	e.writes = append(e.writes, "TagResource "+aws.ToString(in.ResourceArn))
	return &dynamodb.TagResourceOutput{}, nil
}

// Create mode leaves an existing table whose keys are not the stores' as
// it is (another application's table of the same name, say, whose items a
// time to live on expires_at could delete): no time to live is turned on
// and no tag is put, and the keys are reported as drift.
func TestApplyTablesCreateWritesNothingOnATableWithOtherKeys(t *testing.T) {
	for name, desc := range map[string]*types.TableDescription{
		"other key name": keyed("shop_idempotency", "pk", "S"),
		"number key":     keyed("shop_idempotency", "id", "N"),
	} {
		t.Run(name, func(t *testing.T) {
			desc.TableArn = aws.String("arn:aws:dynamodb:eu-west-1:111122223333:table/shop_idempotency")
			api := &existingTables{describingTables: describingTables{tables: map[string]*types.TableDescription{"shop_idempotency": desc}}}

			err := topology.ApplyTables(context.Background(), api, topology.ProvisionCreate, map[string]string{"team": "shop"}, idemTable)

			var drift *topology.DriftError
			require.ErrorAs(t, err, &drift)
			assert.Contains(t, drift.Error(), "table shop_idempotency: key schema is ")
			assert.Empty(t, api.writes)
		})
	}
}

// Create mode still turns on the time to live and puts the tags of an
// existing table whose keys are the stores'.
func TestApplyTablesCreateCompletesAnExistingTableWithTheStoresKeys(t *testing.T) {
	desc := keyed("shop_idempotency", "id", "S")
	desc.TableArn = aws.String("arn:aws:dynamodb:eu-west-1:111122223333:table/shop_idempotency")
	api := &existingTables{describingTables: describingTables{tables: map[string]*types.TableDescription{"shop_idempotency": desc}}}

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionCreate, map[string]string{"team": "shop"}, idemTable)

	require.NoError(t, err)
	assert.Equal(t, []string{"UpdateTimeToLive shop_idempotency", "TagResource " + aws.ToString(desc.TableArn)}, api.writes)
}

// A time to live being turned off cannot be turned on again until it is
// off (DynamoDB refuses it for up to an hour): Create leaves it, and
// Validate reports it as kept, saying to apply again once it is off.
func TestApplyTablesLeavesATimeToLiveBeingDisabled(t *testing.T) {
	desc := keyed("shop_idempotency", "id", "S")
	desc.TableArn = aws.String("arn:aws:dynamodb:eu-west-1:111122223333:table/shop_idempotency")
	api := &existingTables{describingTables: describingTables{tables: map[string]*types.TableDescription{"shop_idempotency": desc}},
		ttl: &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabling, AttributeName: aws.String("ttl")}}

	require.NoError(t, topology.ApplyTables(context.Background(), api, topology.ProvisionCreate, nil, idemTable))
	assert.NotContains(t, api.writes, "UpdateTimeToLive shop_idempotency")

	err := topology.ApplyTables(context.Background(), api, topology.ProvisionValidate, nil, idemTable)
	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	assert.Contains(t, drift.Error(), "time to live is being disabled on attribute ttl")
	assert.Contains(t, drift.Error(), "says DISABLED")
}
