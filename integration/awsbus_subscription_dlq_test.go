//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// TestAWSTopology_SNSDeadLettersWhatItCannotDeliver provisions a service
// that listens to a topic, then deletes its event queue, as an operator
// might by mistake: SNS cannot deliver the next event (a client-side error,
// which SNS never retries) and, through the subscription's redrive policy,
// puts it in the queue's dead-letter queue, attributes and all, instead of
// dropping it.
func TestAWSTopology_SNSDeadLettersWhatItCannotDeliver(t *testing.T) {
	skipOnMoto(t, "moto does not send undeliverable SNS messages to a subscription's dead-letter queue")
	c := newRawClients(t)
	n := newTopologyNames("snsdlq")
	ctx := context.Background()
	eps, err := applyTopology(t, c, topology.ProvisionCreate, topology.Options{}, n.binding())
	require.NoError(t, err)
	sub := eps[n.subscribed]
	snap := snapshot(t, c, eps)
	dlqARN := snap[sub.DLQURL]["QueueArn"]
	assert.JSONEq(t, fmt.Sprintf(`{"deadLetterTargetArn":%q}`, dlqARN), subscriptionOf(t, snap, sub.TopicARN)["RedrivePolicy"])
	var allowsTopic bool
	for _, s := range policyStatements(t, snap[sub.DLQURL]["Policy"]) {
		allowsTopic = allowsTopic || fmt.Sprint(s["Condition"]) == fmt.Sprint(map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": sub.TopicARN}})
	}
	assert.True(t, allowsTopic, "the dead-letter queue's policy lets the topic send: %s", snap[sub.DLQURL]["Policy"])

	_, err = c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(sub.QueueURL)})
	require.NoError(t, err)
	_, err = c.sns.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(sub.TopicARN), Message: aws.String(`{"order":"o-1"}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String("it.Paid")},
		},
	})
	require.NoError(t, err)

	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(sub.DLQURL), WaitTimeSeconds: 2, MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			got = append(got, aws.ToString(m.Body)+" "+aws.ToString(m.MessageAttributes[sourceflow.MetaType].StringValue))
		}
	}
	assert.Equal(t, []string{`{"order":"o-1"} it.Paid`}, got, "the undeliverable event is in the dead-letter queue")
}
