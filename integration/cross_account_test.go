//go:build integration

package integration

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Team B's billing service names team A's topic by its ARN, as the only
// name that says which account and region the topic is in. Its Create must
// subscribe its own queue to that topic with raw delivery, let that topic
// (not a topic of its own account) send to the queue, and create no topic
// in its own account; an event A publishes must then reach B's queue.
func TestCrossAccountSubscribesToATopicOfAnotherAccount(t *testing.T) {
	a := accountClients(t, ordersAccount, ordersRegion)
	b := accountClients(t, billingAccount, billingRegion)
	topic := uniqueName("xacct-order-events", "")
	ordersEPs := provision(t, a, ordersAccount, sourceflow.Binding{Service: "orders",
		Routes: []sourceflow.Route{{Type: "orders.OrderPlaced", Kind: sourceflow.KindEvent, Destination: topic}}})
	topicARN := ordersEPs[topic].TopicARN
	require.Equal(t, "arn:aws:sns:"+ordersRegion+":"+ordersAccount+":"+topic, topicARN)

	billingEPs := provision(t, b, billingAccount, sourceflow.Binding{Service: uniqueName("billing", ""),
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}}}})
	queueURL := billingEPs[topicARN].QueueURL
	require.NotEmpty(t, queueURL, "billing's event queue of the topic of account %s", ordersAccount)
	assert.Contains(t, policySourceARNs(t, b, queueURL), topicARN, "billing's queue policy lets the topic of account A send")
	_, err := b.sns.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{
		TopicArn: aws.String("arn:aws:sns:" + billingRegion + ":" + billingAccount + ":" + topic)})
	var missing *snstypes.NotFoundException
	assert.True(t, errors.As(err, &missing), "no decoy topic in billing's account, got %v", err)

	_, err = a.sns.Publish(context.Background(), &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String("placed"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"sf_type": {DataType: aws.String("String"), StringValue: aws.String("orders.OrderPlaced")}}})
	require.NoError(t, err)
	out, err := b.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 5})
	require.NoError(t, err)
	require.NotEmpty(t, out.Messages, "the event published in account A reaches billing's queue")
	assert.Equal(t, "placed", aws.ToString(out.Messages[0].Body), "raw delivery")
}

// Team B's billing service sends commands to team A's queue, named by its
// ARN. Its Create must resolve the destination to A's queue and create no
// queue of that name in its own account, and its IAM policy must grant
// sqs:SendMessage on A's queue.
func TestCrossAccountSendsCommandsToAQueueOfAnotherAccount(t *testing.T) {
	a := accountClients(t, ordersAccount, ordersRegion)
	b := accountClients(t, billingAccount, billingRegion)
	queue := uniqueName("xacct-orders-commands", "")
	ordersEPs := provision(t, a, ordersAccount, sourceflow.Binding{Service: "orders",
		Listeners: []sourceflow.Listener{{Destination: queue, Kind: sourceflow.KindCommand, Types: []string{"orders.ConfirmPayment"}}}})
	queueARN := "arn:aws:sqs:" + ordersRegion + ":" + ordersAccount + ":" + queue

	binding := sourceflow.Binding{Service: uniqueName("billing", ""),
		Routes: []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queueARN}}}
	billingEPs := provision(t, b, billingAccount, binding)
	assert.Equal(t, ordersEPs[queue].QueueURL, billingEPs[queueARN].QueueURL, "billing sends to the queue of account A")
	_, err := b.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
	var missing *sqstypes.QueueDoesNotExist
	assert.True(t, errors.As(err, &missing), "no decoy queue in billing's account, got %v", err)

	plan, err := topology.New(binding, topology.Options{})
	require.NoError(t, err)
	policy, err := topology.NewIAMPolicy(plan, topology.IAMConfig{AccountID: billingAccount, Region: billingRegion, Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	var granted bool
	for _, st := range policy.Statement {
		granted = granted || (slices.Contains(st.Resource, queueARN) && slices.Contains(st.Action, "sqs:SendMessage"))
	}
	assert.True(t, granted, "billing's policy grants sqs:SendMessage on %s: %+v", queueARN, policy.Statement)
}
