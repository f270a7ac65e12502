//go:build integration

package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// dynamo redrive --reset-hops returns a dead letter to its shard without
// its message's hop count; without the flag the count stays.
func TestDynamo_RedriveResetHopsTakesTheHopCountOut(t *testing.T) {
	api := dynamotest.Client(t)
	for _, flags := range [][]string{nil, {"--reset-hops"}} {
		prefix := deadLetteredOutboxWith(t, api, "orders.Refund", "refused for good", []byte("{}"),
			map[string]string{sourceflow.MetaHops: "64"}, "m-1")

		out, errOut, code := runDynamo(t, api, append([]string{"dynamo", "redrive", "--table-prefix", prefix, "--outbox", "payments", "--yes"}, flags...)...)

		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Redrove 1 dead letter of outbox payments.")
		scan, err := api.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix}).Name), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		var items []struct {
			UUID     string            `dynamodbav:"uuid"`
			Metadata map[string]string `dynamodbav:"metadata"`
		}
		require.NoError(t, attributevalue.UnmarshalListOfMaps(scan.Items, &items))
		found := false
		for _, it := range items {
			if it.UUID == "m-1" { // back in its shard, or dead-lettered again since
				found = true
				_, kept := it.Metadata[sourceflow.MetaHops]
				assert.Equal(t, flags == nil, kept, "the hop count is kept unless --reset-hops: %v", flags)
			}
		}
		assert.True(t, found, "m-1 is in the outbox table")
	}
}
