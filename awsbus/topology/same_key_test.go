package topology_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestSameKey(t *testing.T) {
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	const keyARN = "arn:aws:kms:eu-west-1:111122223333:key/" + id
	const aliasARN = "arn:aws:kms:eu-west-1:111122223333:alias/orders"
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{id, id, true},
		{id, keyARN, true},
		{keyARN, id, true},
		{"alias/orders", aliasARN, false}, // the alias of which account and Region?
		{aliasARN, "alias/orders", false},
		{aliasARN, aliasARN, true},
		{"alias/orders", "alias/payments", false},
		{"alias/orders", id, false}, // only KMS knows where an alias points
		{id, "arn:aws:kms:eu-west-1:111122223333:key/other", false},
		{keyARN, "arn:aws:kms:us-east-1:444455556666:key/" + id, false},
		{"", id, false},
		{"key/x", "x", false},
	} {
		assert.Equal(t, tt.same, topology.SameKey(tt.a, tt.b), "%q ~ %q", tt.a, tt.b)
	}
}

// A queue and a topic whose key is the planned key id written as its key
// ARN (as another tool or service may have set it) show no drift.
func TestValidate_AKeyWrittenAsItsARNIsNoDrift(t *testing.T) {
	sq, sn := newFakes()
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	eps, _ := create(t, sq, sn, topology.Options{KMSKeyID: id})
	ep := eps["payment-events"]
	arn := strings.Split(queueAttrs(t, sq, ep.QueueURL)["QueueArn"], ":")
	keyARN := "arn:aws:kms:" + arn[3] + ":" + arn[4] + ":key/" + id
	ctx := context.Background()
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(ep.QueueURL),
		Attributes: map[string]string{topology.AttrKMSMasterKey: keyARN}})
	require.NoError(t, err)
	_, err = sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(ep.TopicARN),
		AttributeName: aws.String(topology.AttrKMSMasterKey), AttributeValue: aws.String(keyARN)})
	require.NoError(t, err)

	assert.Empty(t, validateFor(t, sq, sn, topology.Options{KMSKeyID: id}, ordersBinding()), "the same key, written as its ARN")
}
