//go:build integration

package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// On the emulator: create encrypts every queue and topic at rest under the
// service's key, tags them and makes every queue refuse requests without
// TLS; validate reports a queue switched back to SQS-managed encryption, a
// changed tag, a lost TLS statement and a topic without its key, each by
// name; create puts all of them back.
func TestAWSTopology_EncryptsAtRestTagsAndRefusesRequestsWithoutTLS(t *testing.T) {
	skipOnMoto(t, "moto drops a queue's Policy when only its RedrivePolicy is set, so the TLS statement cannot be checked")
	c := newRawClients(t)
	n := newTopologyNames("rest")
	ctx := context.Background()
	opts := topology.Options{KMSKeyID: "alias/" + n.service, Tags: map[string]string{"team": "checkout", "env": "it"}}

	eps, err := applyTopology(t, c, topology.ProvisionCreate, opts, n.binding())
	require.NoError(t, err)
	cmd, evq := eps[n.commands], eps[n.subscribed]
	for _, url := range []string{cmd.QueueURL, cmd.DLQURL, evq.QueueURL, evq.DLQURL} {
		attrs := queueAttributes(t, c, url)
		assert.Equal(t, opts.KMSKeyID, attrs[topology.AttrKMSMasterKey], url)
		assert.NotEqual(t, "true", attrs[topology.AttrSQSManagedSSE], url)
		assert.True(t, topology.RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]), url)
		tags, err := c.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
		require.NoError(t, err)
		assert.Equal(t, opts.Tags, tags.Tags, url)
	}
	for _, arn := range []string{evq.TopicARN, eps[n.published].TopicARN} {
		attrs, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		require.NoError(t, err)
		assert.Equal(t, opts.KMSKeyID, attrs.Attributes[topology.AttrKMSMasterKey], arn)
		tags, err := c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		require.NoError(t, err)
		assert.Len(t, tags.Tags, len(opts.Tags), arn)
	}

	_, err = c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(cmd.QueueURL),
		Attributes: map[string]string{topology.AttrKMSMasterKey: "", topology.AttrSQSManagedSSE: "true"}})
	require.NoError(t, err)
	_, err = c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(cmd.DLQURL), Tags: map[string]string{"team": "other"}})
	require.NoError(t, err)
	_, err = c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(evq.DLQURL),
		Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[]}`}})
	require.NoError(t, err)
	_, err = c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(evq.TopicARN),
		AttributeName: aws.String(topology.AttrKMSMasterKey), AttributeValue: aws.String("")})
	require.NoError(t, err)

	_, err = applyTopology(t, c, topology.ProvisionValidate, opts, n.binding())
	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	got := drift.Report.String()
	for _, want := range []string{
		"queue " + n.commands + ": KmsMasterKeyId is unset, want " + opts.KMSKeyID,
		"queue " + topology.DLQName(n.commands) + `: tag team is "other", want "checkout"`,
		"queue " + topology.DLQName(n.eventQueue()) + ": Policy does not refuse requests without TLS",
		"topic " + n.subscribed + ": KmsMasterKeyId is unset, want " + opts.KMSKeyID,
	} {
		assert.Contains(t, got, want)
	}

	_, err = applyTopology(t, c, topology.ProvisionCreate, opts, n.binding())
	require.NoError(t, err, "create switches the queue back to the key in one call")
	_, err = applyTopology(t, c, topology.ProvisionValidate, opts, n.binding())
	require.NoError(t, err, "create put everything back")
	assert.Equal(t, opts.KMSKeyID, queueAttributes(t, c, cmd.QueueURL)[topology.AttrKMSMasterKey])
}

func queueAttributes(t *testing.T, c rawClients, url string) map[string]string {
	t.Helper()
	res, err := c.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	require.NoError(t, err)
	return res.Attributes
}
