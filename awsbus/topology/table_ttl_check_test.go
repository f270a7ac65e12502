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

// CheckTTL reports a time to live on another attribute, which create mode
// leaves, and nothing for one that is off or on the table's own attribute.
func TestCheckTTLReportsATTLOnAnotherAttribute(t *testing.T) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	tbl := topology.Table{Name: dynamotest.Prefix() + "ttl", PartitionKey: "pk", TTLAttribute: "expires_at"}
	dynamotest.DropTables(t, api, tbl.Name)
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(tbl.Name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	require.NoError(t, err)
	require.NoError(t, topology.CheckTTL(ctx, api, tbl), "off: create mode turns it on")
	require.NoError(t, topology.CheckTTL(ctx, api, topology.Table{Name: tbl.Name, PartitionKey: "pk"}), "no time to live wanted")

	_, err = api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(tbl.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("gone_at"), Enabled: aws.Bool(true)},
	})
	require.NoError(t, err)
	var drift *topology.DriftError
	require.ErrorAs(t, topology.CheckTTL(ctx, api, tbl), &drift)
	require.Len(t, drift.Report.Drifts, 1)
	assert.True(t, drift.Report.Drifts[0].Kept)
	assert.Contains(t, drift.Error(), "table "+tbl.Name+": time to live is enabled on attribute gone_at, want expires_at")
	require.NoError(t, topology.CheckTTL(ctx, api, topology.Table{Name: tbl.Name, PartitionKey: "pk", TTLAttribute: "gone_at"}))
}
