package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func setQueueAttribute(t *testing.T, fake *fakeAWS, queue, name, value string) {
	t.Helper()
	_, err := fake.sqs.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(fake.sqs.QueueURL(queue)), Attributes: map[string]string{name: value},
	})
	require.NoError(t, err)
}

func TestApply_CreatesPrintsAndIsIdempotent(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{MaxReceiveCount: 3})

	out, errOut, code := fake.run(t, "apply", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "created queue orders.fifo\n")
	assert.Contains(t, out, "created queue orders-dlq.fifo (dead-letter queue of orders.fifo)\n")
	assert.Contains(t, out, "created subscription order-events -> orders-order-events\n")
	assert.Contains(t, out, "Apply complete: 12 created, 0 changed.")
	assert.Regexp(t, `orders\.fifo\s+queue\s+https://sqs\.us-east-1\.amazonaws\.com/\d+/orders\.fifo`, out)
	assert.Equal(t, 8, fake.sqs.Calls("CreateQueue"))

	out, errOut, code = fake.run(t, "apply", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Apply complete: 0 created, 0 changed.")
	assert.Equal(t, 8, fake.sqs.Calls("CreateQueue"), "a second apply creates nothing")
}

func TestApply_ChangesWhatDrifted(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)
	setQueueAttribute(t, fake, "orders-order-events", "ReceiveMessageWaitTimeSeconds", "1")

	out, errOut, code := fake.run(t, "apply", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "changed queue orders-order-events: ReceiveMessageWaitTimeSeconds is 1, want 20\n")
	_, _, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
}

func TestApply_CreatesTheTables(t *testing.T) {
	tables := newFakeTables()
	path := writeTopology(t, ordersBinding(), topology.Options{Tables: []topology.Table{
		{Name: "shop_views", PartitionKey: "pk", SortKey: "sk"},
		{Name: "shop_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"},
	}})

	out, errOut, code := newFakeAWS().runWithTables(t, tables, "apply", "-f", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "created table shop_idempotency\n")
	assert.Contains(t, out, "created table shop_views\n")
	assert.Equal(t, "expires_at", tables.ttl["shop_idempotency"])
}

func TestApply_SaysATablesKeysAndBillingModeStayAsTheyAre(t *testing.T) {
	tables := newFakeTables()
	tables.put("shop_views", types.BillingModeProvisioned, types.KeySchemaElement{AttributeName: aws.String("key"), KeyType: types.KeyTypeHash})
	path := writeTopology(t, ordersBinding(), topology.Options{Tables: []topology.Table{
		{Name: "shop_views", PartitionKey: "pk", SortKey: "sk"},
	}})

	_, errOut, code := newFakeAWS().runWithTables(t, tables, "apply", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, errOut, "table shop_views: key schema is (key HASH), want (pk HASH S, sk RANGE S)\n")
	assert.Contains(t, errOut, "table shop_views: billing mode is PROVISIONED, want PAY_PER_REQUEST\n")
	assert.Contains(t, errOut, "apply cannot change a table's key schema or billing mode in place: recreate the table")
	assert.Contains(t, errOut, "or change the file")
	assert.NotContains(t, errOut, "owned by another service", "the queues and topics were applied")
}

// apply writes nothing on a table whose keys are not the file's (another
// application's table of the same name, say): no time to live, which could
// delete its items, and no tags; it reports the keys.
func TestApply_WritesNothingOnATableWithOtherKeys(t *testing.T) {
	tables := newFakeTables()
	tables.put("shop_idempotency", types.BillingModePayPerRequest, types.KeySchemaElement{AttributeName: aws.String("key"), KeyType: types.KeyTypeHash})
	path := writeTopology(t, ordersBinding(), topology.Options{Tags: map[string]string{"team": "shop"}, Tables: []topology.Table{
		{Name: "shop_idempotency", PartitionKey: "id", TTLAttribute: "expires_at"},
	}})

	_, errOut, code := newFakeAWS().runWithTables(t, tables, "apply", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, errOut, "table shop_idempotency: key schema is (key HASH), want (id HASH S)\n")
	assert.Empty(t, tables.ttl, "no time to live turned on")
	assert.Empty(t, tables.tags[tableARN("shop_idempotency")], "no tag put")
}
