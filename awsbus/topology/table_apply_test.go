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
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

func TestApplyTablesCreatesValidatesAndAssumes(t *testing.T) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	tbl := topology.Table{Name: dynamotest.Prefix() + "records", PartitionKey: "id", TTLAttribute: "expires_at"}
	dynamotest.DropTables(t, api, tbl.Name)

	require.ErrorIs(t, topology.ApplyTables(ctx, api, topology.ProvisionAssume, nil, tbl), topology.ErrNotFound, "assume reads the table")
	var drift *topology.DriftError
	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, nil, tbl), &drift)
	assert.Equal(t, []topology.Drift{{Resource: "table", Name: tbl.Name, Problem: "missing"}}, drift.Report.Drifts)

	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionCreate, nil, tbl))
	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionCreate, nil, tbl), "a second run changes nothing")
	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, nil, tbl))
	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionAssume, nil, tbl))

	// The stores' tags: reported missing, then added to the existing table.
	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, testTags, tbl), &drift)
	assert.Equal(t, []topology.Drift{
		{Resource: "table", Name: tbl.Name, Problem: `tag cost-center is missing, want "4711"`},
		{Resource: "table", Name: tbl.Name, Problem: `tag team is missing, want "checkout"`},
	}, drift.Report.Drifts)
	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionCreate, testTags, tbl))
	require.NoError(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, testTags, tbl))
}

func TestValidateTablesNamesEveryDifference(t *testing.T) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	name := dynamotest.Prefix() + "other"
	dynamotest.DropTables(t, api, name)
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String(name),
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("key"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("key"), KeyType: types.KeyTypeHash}},
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
	})
	require.NoError(t, err)
	tbl := topology.Table{Name: name, PartitionKey: "pk", SortKey: "sk", TTLAttribute: "expires_at"}
	var drift *topology.DriftError
	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, nil, tbl), &drift)
	report := drift.Report.String()
	assert.Contains(t, report, "table "+name+": key schema is (key HASH S), want (pk HASH S, sk RANGE S)")
	assert.Contains(t, report, "billing mode is PROVISIONED, want PAY_PER_REQUEST")
	assert.Contains(t, report, "time to live is not enabled on attribute expires_at")
	assert.Len(t, drift.Report.Drifts, 3)

	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionCreate, nil, tbl), &drift, "create cannot change keys")
	assert.Contains(t, drift.Error(), "key schema is (key HASH S), want (pk HASH S, sk RANGE S)")
	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionValidate, nil, tbl), &drift)
	assert.Contains(t, drift.Report.String(), "time to live is not enabled on attribute expires_at",
		"create writes nothing to a table with other keys")
	require.ErrorAs(t, topology.ApplyTables(ctx, api, topology.ProvisionAssume, nil, tbl), &drift, "assume refuses other keys")
	assert.Contains(t, drift.Error(), "key schema is (key HASH S), want (pk HASH S, sk RANGE S)")
}

// The Provisioner creates a plan's tables with its tags and Validate reports
// a tag that changed. Create keeps a value another service set (the services
// of one store share its tables) and fills in a tag that is missing.
func TestProvisionerTagsTables(t *testing.T) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	tbl := topology.Table{Name: dynamotest.Prefix() + "tagged", PartitionKey: "id"}
	dynamotest.DropTables(t, api, tbl.Name)
	sq, sn := newFakes()
	prov, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn, DynamoDB: api})
	require.NoError(t, err)
	p := topology.Plan{Service: "tagger", Tables: []topology.Table{tbl}, Tags: testTags}
	tableTags := func() (arn string, tags map[string]string) {
		desc, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name)})
		require.NoError(t, err)
		out, err := api.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: desc.Table.TableArn})
		require.NoError(t, err)
		tags = map[string]string{}
		for _, tag := range out.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return aws.ToString(desc.Table.TableArn), tags
	}

	_, err = prov.Create(ctx, p)
	require.NoError(t, err)
	arn, tags := tableTags()
	assert.Equal(t, testTags, tags)

	_, err = api.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
	require.NoError(t, err)
	rep, _, err := prov.Validate(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, []topology.Drift{{Resource: "table", Name: tbl.Name, Problem: `tag team is "other", want "checkout"`, Kept: true}}, rep.Drifts)

	_, err = prov.Create(ctx, p)
	require.NoError(t, err)
	_, tags = tableTags()
	assert.Equal(t, "other", tags["team"], "another service's value is kept")

	_, err = api.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})
	require.NoError(t, err)
	_, err = prov.Create(ctx, p)
	require.NoError(t, err)
	_, tags = tableTags()
	assert.Equal(t, testTags, tags, "a missing tag is filled in")
}
