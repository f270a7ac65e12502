package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A topic is shared, so apply never overwrites the KMS key another service
// set on it: it says the difference is left, does not count it as changed,
// and exits 1 with the drift.
func TestApply_SaysWhatItLeftInsteadOfChanged(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	_, err := fake.sns.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{
		TopicArn:      aws.String("arn:aws:sns:" + fake.sqs.Region() + ":" + fake.sqs.AccountID() + ":order-events"),
		AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/other"),
	})
	require.NoError(t, err)
	setQueueAttribute(t, fake, "orders-order-events", "ReceiveMessageWaitTimeSeconds", "1")

	out, errOut, code := fake.run(t, "apply", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "changed queue orders-order-events: ReceiveMessageWaitTimeSeconds is 1, want 20\n")
	assert.Contains(t, out, "left topic order-events: KmsMasterKeyId is alias/other, want alias/orders\n")
	assert.NotContains(t, out, "changed topic order-events")
	assert.Contains(t, out, "Apply complete: 0 created, 1 changed, 1 left.")
	assert.Contains(t, errOut, "topic order-events: KmsMasterKeyId is alias/other, want alias/orders\n")
}

// plan says beforehand that apply keeps the KMS key another service set on
// a shared topic, and does not count it as a change.
func TestPlan_SaysApplyKeepsAnotherServicesKeyOnASharedTopic(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	_, err := fake.sns.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{
		TopicArn:      aws.String("arn:aws:sns:" + fake.sqs.Region() + ":" + fake.sqs.AccountID() + ":order-events"),
		AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/other"),
	})
	require.NoError(t, err)

	out, errOut, code := fake.run(t, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "= keep topic order-events: KmsMasterKeyId is alias/other, want alias/orders\n")
	assert.Contains(t, out, "Plan: 0 to create, 0 to change.\n")
	assert.Contains(t, out, "1 kept: apply does not overwrite a value another service set on a topic or table")
	assert.NotContains(t, out, "Run `sourceflow apply")

	out, _, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "1 kept: apply does not overwrite a value another service set on a topic or table")

	_, errOut, code = fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "apply does not overwrite a value another service set on a topic or table")
	assert.NotContains(t, errOut, "changed concurrently")
}

// A table the services share keeps the tag value another service set:
// plan says so, and apply leaves it.
func TestPlan_SaysApplyKeepsAnotherServicesTagOnASharedTable(t *testing.T) {
	fake, tables := newFakeAWS(), newFakeTables()
	path := writeTopology(t, ordersBinding(), topology.Options{Tags: map[string]string{"team": "shop"},
		Tables: []topology.Table{{Name: "shop_views", PartitionKey: "pk", SortKey: "sk"}}})
	_, errOut, code := fake.runWithTables(t, tables, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	tables.tags[tableARN("shop_views")]["team"] = "billing"

	out, errOut, code := fake.runWithTables(t, tables, "plan", "-f", path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "= keep table shop_views: tag team is \"billing\", want \"shop\"\n")
	out, _, code = fake.runWithTables(t, tables, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "left table shop_views: tag team is \"billing\", want \"shop\"\n")
	assert.Equal(t, "billing", tables.tags[tableARN("shop_views")]["team"])
}
