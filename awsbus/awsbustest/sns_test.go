package awsbustest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

func strAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

func TestSNSRawDeliveryAndFilter(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	require.NoError(t, err)
	rawURL := createQueue(t, q, "raw", nil)
	envURL := createQueue(t, q, "env", nil)
	raw, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("raw")), Attributes: map[string]string{
			"RawMessageDelivery": "true", "FilterPolicy": `{"sf_type":["orders.Created"]}`}})
	require.NoError(t, err)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("env"))})
	require.NoError(t, err)

	for _, typ := range []string{"orders.Created", "orders.Cancelled"} {
		_, err = n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"t":"` + typ + `"}`),
			MessageAttributes: map[string]types.MessageAttributeValue{"sf_type": strAttr(typ)}})
		require.NoError(t, err)
	}
	got := q.Messages(rawURL)
	require.Len(t, got, 1, "the filter policy passes only orders.Created")
	assert.Equal(t, `{"t":"orders.Created"}`, got[0].Body)
	assert.Equal(t, "orders.Created", got[0].Attributes["sf_type"])

	env := q.Messages(envURL)
	require.Len(t, env, 2)
	var note struct{ Type, Message, TopicArn string }
	require.NoError(t, json.Unmarshal([]byte(env[0].Body), &note))
	assert.Equal(t, "Notification", note.Type)
	assert.Empty(t, env[0].Attributes, "a non-raw delivery carries no SQS attributes")

	subs, err := n.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	require.NoError(t, err)
	assert.Len(t, subs.Subscriptions, 2)
	_, err = n.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: raw.SubscriptionArn,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"sf_type":[{"prefix":"orders."}]}`)})
	require.NoError(t, err)
	attrs, err := n.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: raw.SubscriptionArn})
	require.NoError(t, err)
	assert.Equal(t, "true", attrs.Attributes["RawMessageDelivery"])
	assert.JSONEq(t, `{"sf_type":[{"prefix":"orders."}]}`, attrs.Attributes["FilterPolicy"])
}

func TestSNSRawDeliveryDropsOverBudget(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	require.NoError(t, err)
	url := createQueue(t, q, "sub", nil)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("sub")), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	attrs := map[string]types.MessageAttributeValue{}
	for i := range 11 {
		attrs[fmt.Sprintf("a%d", i)] = strAttr("v")
	}
	_, err = n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("x"), MessageAttributes: attrs})
	require.NoError(t, err, "SNS accepts the publish")
	assert.Empty(t, q.Messages(url), "and silently drops the raw delivery")
	assert.Equal(t, 1, n.Dropped())
}

// With the MessageBody scope a filter matches the body's fields, not the
// message attributes.
func TestSNSFilterOnTheMessageBody(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	require.NoError(t, err)
	url := createQueue(t, q, "sub", nil)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("sub")), Attributes: map[string]string{
			"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["a"]}`, "FilterPolicyScope": "MessageBody",
		}})
	require.NoError(t, err)
	for _, body := range []string{`{"kind":"b"}`, `not json`, `{"kind":"a"}`} {
		_, err = n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{"kind": strAttr("a")}})
		require.NoError(t, err)
	}
	got := q.Messages(url)
	require.Len(t, got, 1)
	assert.Equal(t, `{"kind":"a"}`, got[0].Body)
}

// subscribingQueue returns an SNS fake with topic "events" and a subscribe
// function that subscribes queue "sub" to it with the given attributes.
func subscribingQueue(t *testing.T) (*awsbustest.SNS, *sns.CreateTopicOutput, func(map[string]string) (*sns.SubscribeOutput, error)) {
	t.Helper()
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	require.NoError(t, err)
	createQueue(t, q, "sub", nil)
	subscribe := func(attrs map[string]string) (*sns.SubscribeOutput, error) {
		return n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(q.QueueARN("sub")), Attributes: attrs})
	}
	return n, topic, subscribe
}

// Subscribing a queue again answers with the existing subscription when the
// attributes given are the subscription's (those not given are not
// compared), and fails as SNS does when one differs.
func TestSNSSubscribeAgain(t *testing.T) {
	n, topic, subscribe := subscribingQueue(t)
	filter := map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"sf_type":["a"]}`}
	first, err := subscribe(filter)
	require.NoError(t, err)
	for _, same := range []map[string]string{filter, nil, {"RawMessageDelivery": "true"}} {
		again, err := subscribe(same)
		require.NoError(t, err, "attributes %v", same)
		assert.Equal(t, aws.ToString(first.SubscriptionArn), aws.ToString(again.SubscriptionArn))
	}
	for _, other := range []map[string]string{
		{"RawMessageDelivery": "true", "FilterPolicy": `{"sf_type":["a","b"]}`},
		{"RawMessageDelivery": "false"},
	} {
		_, err = subscribe(other)
		var invalid *types.InvalidParameterException
		require.ErrorAs(t, err, &invalid, "attributes %v", other)
		assert.Equal(t, "InvalidParameter", invalid.ErrorCode())
		assert.Contains(t, invalid.ErrorMessage(), "Subscription already exists with different attributes")
	}
	subs, err := n.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	require.NoError(t, err)
	assert.Len(t, subs.Subscriptions, 1)
}

// A subscription with a filter policy and no scope has SNS's default
// scope, MessageAttributes: subscribing again with that scope given is the
// same subscription, with the other scope a different one.
func TestSNSSubscribeAgainWithTheDefaultFilterScope(t *testing.T) {
	_, _, subscribe := subscribingQueue(t)
	filter := `{"sf_type":["a"]}`
	first, err := subscribe(map[string]string{"FilterPolicy": filter})
	require.NoError(t, err)

	again, err := subscribe(map[string]string{"FilterPolicy": filter, "FilterPolicyScope": "MessageAttributes"})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.SubscriptionArn), aws.ToString(again.SubscriptionArn))
	_, err = subscribe(map[string]string{"FilterPolicy": filter, "FilterPolicyScope": "MessageBody"})
	var invalid *types.InvalidParameterException
	require.ErrorAs(t, err, &invalid)
}

func TestSNSQueuePolicyEnforcement(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{EnforceQueuePolicy: true})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	require.NoError(t, err)
	url := createQueue(t, q, "sub", nil)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(q.QueueARN("sub"))})
	require.NoError(t, err)
	publish := func() {
		_, err := n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("x")})
		require.NoError(t, err)
	}
	publish()
	assert.Empty(t, q.Messages(url), "no policy, no delivery")
	policy := fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s","Condition":{"ArnLike":{"aws:SourceArn":["arn:aws:sns:*:*:t"]}}}]}`, q.QueueARN("sub"))
	_, err = q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Policy": policy}})
	require.NoError(t, err)
	publish()
	assert.Len(t, q.Messages(url), 1)
}

func TestSNSFIFOTopic(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	std, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("std")})
	require.NoError(t, err)
	fifo, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	require.NoError(t, err)
	url := createQueue(t, q, "s.fifo", nil)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: std.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(q.QueueARN("s.fifo"))})
	require.Error(t, err, "a FIFO queue cannot subscribe to a standard topic")
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: fifo.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("s.fifo")), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	_, err = n.Publish(ctx, &sns.PublishInput{TopicArn: fifo.TopicArn, Message: aws.String("x")})
	require.Error(t, err, "group id required")
	out, err := n.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: fifo.TopicArn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("1"), Message: aws.String("a"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")},
		{Id: aws.String("2"), Message: aws.String("b"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")},
		{Id: aws.String("3"), Message: aws.String("c")},
	}})
	require.NoError(t, err)
	assert.Len(t, out.Successful, 2)
	assert.Len(t, out.Failed, 1)
	got := q.Messages(url)
	require.Len(t, got, 1, "the duplicate dedup id is delivered once")
	assert.Equal(t, "g", got[0].GroupID)
	assert.Equal(t, "d1", got[0].DeduplicationID)
}

// TestSNSRedrivesWhatTheQueueRefuses: a delivery the queue's policy
// refuses goes to the subscription's dead-letter queue, attributes kept,
// when that queue's policy lets the topic send; without a redrive policy it
// is dropped.
func TestSNSRedrivesWhatTheQueueRefuses(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{EnforceQueuePolicy: true})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	require.NoError(t, err)
	createQueue(t, q, "refusing", nil)
	createQueue(t, q, "plain", nil)
	allow := fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},`+
		`"Action":"sqs:SendMessage","Resource":%q,"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`,
		q.QueueARN("refusing-dlq"), aws.ToString(topic.TopicArn))
	dlqURL := createQueue(t, q, "refusing-dlq", map[string]string{"Policy": allow})
	for name, attrs := range map[string]map[string]string{
		"refusing": {"RawMessageDelivery": "true", "RedrivePolicy": `{"deadLetterTargetArn":"` + q.QueueARN("refusing-dlq") + `"}`},
		"plain":    {"RawMessageDelivery": "true"},
	} {
		_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(q.QueueARN(name)), Attributes: attrs})
		require.NoError(t, err)
	}

	_, err = n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"n":1}`),
		MessageAttributes: map[string]types.MessageAttributeValue{"sf_type": strAttr("orders.Created")}})
	require.NoError(t, err)

	dead := q.Messages(dlqURL)
	require.Len(t, dead, 1)
	assert.Equal(t, `{"n":1}`, dead[0].Body)
	assert.Equal(t, "orders.Created", dead[0].Attributes["sf_type"])
	assert.Equal(t, 1, n.DeadLettered())
	assert.Equal(t, 1, n.Dropped(), "the subscription without a redrive policy dropped it")
}
