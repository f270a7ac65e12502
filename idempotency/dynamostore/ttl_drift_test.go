package dynamostore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// In create mode, New refuses an existing table whose time to live is on
// another attribute than expires_at, where no record would ever expire,
// naming the table, the attribute in use and the one wanted; it leaves
// that time to live as it is.
func TestNewCreatingRefusesATableWhoseTTLIsOnAnotherAttribute(t *testing.T) {
	ctx := context.Background()
	api, name := tableWithoutTTL(t)
	_, err := api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("purge_at"), Enabled: aws.Bool(true)},
	})
	require.NoError(t, err)

	_, err = dynamostore.New(ctx, dynamostore.Config{Client: api, Table: name})

	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	require.ErrorIs(t, err, topology.ErrDrift)
	require.Len(t, drift.Report.Drifts, 1)
	d := drift.Report.Drifts[0]
	assert.Equal(t, "table", d.Resource)
	assert.Equal(t, name, d.Name)
	assert.Contains(t, d.Problem, "time to live is enabled on attribute purge_at, want expires_at")
	assert.True(t, d.Kept, "create does not move it")
	assert.ErrorContains(t, err, "idempotency/dynamostore: ")

	ttl, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "purge_at", aws.ToString(ttl.TimeToLiveDescription.AttributeName), "New leaves it")
}

// In create mode, New starts on an existing table whose time to live is
// off, turning it on for expires_at, and on one where it already is.
func TestNewCreatingStartsWhenTheTTLIsOffOrOnExpiresAt(t *testing.T) {
	ctx := context.Background()
	api, name := tableWithoutTTL(t)

	for range 2 {
		_, err := dynamostore.New(ctx, dynamostore.Config{Client: api, Table: name})
		require.NoError(t, err)
	}
	ttl, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "expires_at", aws.ToString(ttl.TimeToLiveDescription.AttributeName))
}

// tableWithoutTTL creates an idempotency table of the store's keys with no
// time to live, as a table made by other means may be, and returns its
// client and name.
func tableWithoutTTL(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	api := dynamotest.Client(t)
	name := dynamotest.Prefix() + "idempotency"
	dynamotest.DropTables(t, api, name)
	_, err := api.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		// The client lost the answer to a create that succeeded (the
		// emulator closed the connection) and retried it: the name is this
		// test's own and was dropped above, so the table is the one made.
		err = nil
	}
	require.NoError(t, err)
	return api, name
}
