package topology_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Validate marks Kept the differences Create leaves as they are: the KMS
// key and the tag values another service set on a topic they share. A
// topic without a key, and a queue the service consumes, are Create's to
// change.
func TestValidate_MarksKeptWhatCreateLeavesOnASharedTopic(t *testing.T) {
	sq, sn := newFakes()
	opts := topology.Options{KMSKeyID: "alias/orders", Tags: testTags}
	eps, p := create(t, sq, sn, opts)
	ctx := context.Background()
	set := func(topic, value string) {
		_, err := sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(eps[topic].TopicARN),
			AttributeName: aws.String(topology.AttrKMSMasterKey), AttributeValue: aws.String(value)})
		require.NoError(t, err)
	}
	set("order-events", "alias/other")
	set("payment-events", "")
	_, err := sn.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(eps["order-events"].TopicARN),
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
	require.NoError(t, err)
	_, err = sq.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(eps["orders.fifo"].QueueURL), Tags: map[string]string{"team": "other"}})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	kept := map[string]bool{}
	for _, d := range rep.Drifts {
		kept[d.String()] = d.Kept
	}
	assert.Equal(t, map[string]bool{
		"topic order-events: KmsMasterKeyId is alias/other, want alias/orders": true,
		`topic order-events: tag team is "other", want "checkout"`:             true,
		"topic payment-events: KmsMasterKeyId is unset, want alias/orders":     false,
		`queue orders.fifo: tag team is "other", want "checkout"`:              false,
	}, kept)

	_, err = topo.Create(ctx, p)
	require.NoError(t, err)
	rep, _, err = topo.Validate(ctx, p)
	require.NoError(t, err)
	for _, d := range rep.Drifts {
		assert.True(t, d.Kept, "Create changed none but the kept: %s", d)
	}
	assert.Len(t, rep.Drifts, 2)
}
