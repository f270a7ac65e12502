package topology_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// TestTopology_SubscriptionDeadLettersWhatSNSCannotDeliver creates the
// topology, then replaces the event queue's policy with one that leaves
// the topic out, as an operator might by mistake: SNS cannot deliver the
// next event to the queue and, through the subscription's redrive policy,
// puts it in the queue's dead-letter queue instead of dropping it.
func TestTopology_SubscriptionDeadLettersWhatSNSCannotDeliver(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})
	ep := eps["payment-events"]
	dlqARN := queueAttrs(t, sq, ep.DLQURL)["QueueArn"]
	assert.JSONEq(t, `{"deadLetterTargetArn":"`+dlqARN+`"}`, subscriptionAttrs(t, sn, ep.TopicARN)["RedrivePolicy"])

	ctx := context.Background()
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(ep.QueueURL), Attributes: map[string]string{"Policy": foreign},
	})
	require.NoError(t, err)
	_, err = sn.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(ep.TopicARN), Message: aws.String(`{"amount":5}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String("payments.PaymentTaken")},
		},
	})
	require.NoError(t, err)

	assert.Empty(t, sq.Messages(ep.QueueURL), "the queue's policy refuses the topic")
	dead := sq.Messages(ep.DLQURL)
	require.Len(t, dead, 1, "the event is kept in the dead-letter queue")
	assert.Equal(t, `{"amount":5}`, dead[0].Body)
	assert.Equal(t, "payments.PaymentTaken", dead[0].Attributes[sourceflow.MetaType], "raw delivery keeps the attributes")
	assert.Equal(t, 1, sn.DeadLettered())
	assert.Zero(t, sn.Dropped())
}

// TestTopology_ApplyAddsTheSubscriptionRedriveToAnOlderTopology takes a
// topology made before subscriptions had a redrive policy (no RedrivePolicy,
// no statement for the topic on the dead-letter queue): Validate reports
// both, Create adds both, and Validate then finds nothing.
func TestTopology_ApplyAddsTheSubscriptionRedriveToAnOlderTopology(t *testing.T) {
	sq, sn := newFakes()
	eps, p := create(t, sq, sn, topology.Options{})
	ep := eps["payment-events"]
	ctx := context.Background()
	_, err := sn.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
		SubscriptionArn: aws.String(firstSubscription(t, sn, ep.TopicARN)),
		AttributeName:   aws.String("RedrivePolicy"), AttributeValue: aws.String(""),
	})
	require.NoError(t, err)
	tlsOnly, _, err := topology.RequireSecureTransport("", queueAttrs(t, sq, ep.DLQURL)["QueueArn"])
	require.NoError(t, err)
	_, err = sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(ep.DLQURL), Attributes: map[string]string{"Policy": tlsOnly},
	})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)
	require.NoError(t, err)
	got := strings.Join(driftStrings(rep), "\n")
	assert.Contains(t, got, "policy orders-payment-events-dlq: no statement lets topic "+ep.TopicARN)
	assert.Contains(t, got, "subscription payment-events -> orders-payment-events: RedrivePolicy differs")
	assert.Len(t, rep.Drifts, 2, got)

	_, err = topo.Create(ctx, p)
	require.NoError(t, err)
	rep, _, err = topo.Validate(ctx, p)
	require.NoError(t, err)
	assert.Empty(t, rep.Drifts, strings.Join(driftStrings(rep), "\n"))
	assert.Contains(t, subscriptionAttrs(t, sn, ep.TopicARN)["RedrivePolicy"], queueAttrs(t, sq, ep.DLQURL)["QueueArn"])
}

// TestTopology_APlanWhoseSubscriptionHasNoDLQIsRefused builds a plan by
// hand without Subscription.DLQ: Create and Validate refuse it, naming the
// field, before any call.
func TestTopology_APlanWhoseSubscriptionHasNoDLQIsRefused(t *testing.T) {
	sq, sn := newFakes()
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	p.Subscriptions[0].DLQ = ""
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), p)
	require.ErrorIs(t, err, topology.ErrInvalidPlan)
	assert.ErrorContains(t, err, "Subscription.DLQ is required")
	_, _, err = topo.Validate(context.Background(), p)
	require.ErrorIs(t, err, topology.ErrInvalidPlan)
	assert.Zero(t, sq.Calls("CreateQueue")+sq.Calls("GetQueueUrl")+sn.Calls("CreateTopic"), "refused before any call")
}
