package topology_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

var writeOps = []string{
	"CreateQueue", "SetQueueAttributes", "TagQueue", "CreateTopic", "SetTopicAttributes", "TagResource",
	"Subscribe", "SetSubscriptionAttributes",
}

func writes(sq *awsbustest.SQS, sn *awsbustest.SNS) map[string]int {
	m := map[string]int{}
	for _, op := range writeOps {
		if n := sq.Calls(op) + sn.Calls(op); n > 0 {
			m[op] = n
		}
	}
	return m
}

func queueAttrs(t *testing.T, sq topology.SQSAPI, url string) map[string]string {
	t.Helper()
	out, err := sq.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	require.NoError(t, err)
	return out.Attributes
}

func subscriptionAttrs(t *testing.T, sn topology.SNSAPI, topicARN string) map[string]string {
	t.Helper()
	ctx := context.Background()
	subs, err := sn.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	out, err := sn.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{
		SubscriptionArn: subs.Subscriptions[0].SubscriptionArn,
	})
	require.NoError(t, err)
	return out.Attributes
}

func newProvisioner(sq *awsbustest.SQS, sn *awsbustest.SNS, cfg topology.ProvisionerConfig) (*topology.Provisioner, error) {
	cfg.SQS, cfg.SNS = sq, sn
	return topology.NewProvisioner(cfg)
}

func create(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS, opts topology.Options) (topology.Endpoints, topology.Plan) {
	t.Helper()
	return createFor(t, sq, sn, opts, ordersBinding())
}

func createFor(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS, opts topology.Options, b sourceflow.Binding) (topology.Endpoints, topology.Plan) {
	t.Helper()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(b, opts)
	require.NoError(t, err)
	eps, err := topo.Create(context.Background(), p)
	require.NoError(t, err)
	return eps, p
}

// validateFor validates the plan of b, made with opts, against the fakes
// and returns the drift, one line each.
func validateFor(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS, opts topology.Options, b sourceflow.Binding) []string {
	t.Helper()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(b, opts)
	require.NoError(t, err)
	rep, _, err := topo.Validate(context.Background(), p)
	require.NoError(t, err)
	return driftStrings(rep)
}

func TestTopology_CreateProvisionsEverything(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{MaxReceiveCount: 7})

	cmd := eps["orders.fifo"]
	require.NotEmpty(t, cmd.QueueURL)
	require.NotEmpty(t, cmd.DLQURL)
	assert.True(t, cmd.FIFO)
	attrs := queueAttrs(t, sq, cmd.QueueURL)
	dlqARN := queueAttrs(t, sq, cmd.DLQURL)["QueueArn"]
	assert.Contains(t, dlqARN, sq.AccountID(), "ARN read from SQS, account never hard-coded")
	assert.Equal(t, "true", attrs["FifoQueue"])
	assert.Equal(t, "true", attrs["ContentBasedDeduplication"])
	assert.Equal(t, "20", attrs["ReceiveMessageWaitTimeSeconds"])
	assert.JSONEq(t, `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":7}`, attrs["RedrivePolicy"])
	assert.Equal(t, "1209600", queueAttrs(t, sq, cmd.DLQURL)["MessageRetentionPeriod"])

	pay := eps["payment-events"]
	require.NotEmpty(t, pay.TopicARN)
	require.NotEmpty(t, pay.QueueURL, "listened topic resolves to the service's event queue")
	assert.NotEqual(t, cmd.QueueURL, pay.QueueURL, "commands and events never share a queue")
	sub := subscriptionAttrs(t, sn, pay.TopicARN)
	assert.Equal(t, "true", sub["RawMessageDelivery"])
	assert.JSONEq(t, `{"sf_type":["payments.PaymentTaken"]}`, sub["FilterPolicy"])

	var policy struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(queueAttrs(t, sq, pay.QueueURL)["Policy"]), &policy))
	require.Len(t, policy.Statement, 2, "the TLS statement and the topic's")
	assert.Equal(t, topology.SecureTransportSid, policy.Statement[0]["Sid"])
	assert.Equal(t, map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": pay.TopicARN}}, policy.Statement[1]["Condition"])

	pub := eps["order-events"]
	assert.NotEmpty(t, pub.TopicARN)
	assert.Empty(t, pub.QueueURL, "a topic only published to has no queue here")
}

func TestTopology_CreateTwiceChangesNothing(t *testing.T) {
	sq, sn := newFakes()
	first, _ := create(t, sq, sn, topology.Options{})
	before := map[string]map[string]string{}
	for _, ep := range first {
		for _, u := range []string{ep.QueueURL, ep.DLQURL} {
			if u != "" {
				before[u] = queueAttrs(t, sq, u)
			}
		}
	}
	created := writes(sq, sn)

	second, _ := create(t, sq, sn, topology.Options{})

	assert.Equal(t, first, second)
	after := writes(sq, sn)
	for _, op := range []string{"CreateQueue", "SetQueueAttributes", "Subscribe", "SetSubscriptionAttributes"} {
		assert.Equal(t, created[op], after[op], "second run called %s", op)
	}
	for u, attrs := range before {
		now := queueAttrs(t, sq, u)
		delete(now, "ApproximateNumberOfMessages")
		delete(attrs, "ApproximateNumberOfMessages")
		assert.Equal(t, attrs, now, u)
	}
}

func TestTopology_CreateReconcilesDriftedAttributes(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})
	ctx := context.Background()
	url := eps["orders.fifo"].QueueURL
	dlqARN := queueAttrs(t, sq, eps["orders.fifo"].DLQURL)["QueueArn"]
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"VisibilityTimeout": "99", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"9"}`,
	}})
	require.NoError(t, err)
	subARN := firstSubscription(t, sn, eps["payment-events"].TopicARN)
	_, err = sn.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
		SubscriptionArn: aws.String(subARN), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("false"),
	})
	require.NoError(t, err)

	create(t, sq, sn, topology.Options{})

	attrs := queueAttrs(t, sq, url)
	assert.Equal(t, "30", attrs["VisibilityTimeout"])
	assert.JSONEq(t, `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":8}`, attrs["RedrivePolicy"])
	assert.Equal(t, "true", subscriptionAttrs(t, sn, eps["payment-events"].TopicARN)["RawMessageDelivery"])
}

func firstSubscription(t *testing.T, sn topology.SNSAPI, topicARN string) string {
	t.Helper()
	out, err := sn.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	require.NoError(t, err)
	require.NotEmpty(t, out.Subscriptions)
	return aws.ToString(out.Subscriptions[0].SubscriptionArn)
}

func TestTopology_CreateLeavesQueuesItOnlySendsToAlone(t *testing.T) {
	sq, sn := newFakes()
	ctx := context.Background()
	out, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String("orders.fifo"), Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "300"},
	})
	require.NoError(t, err)

	b := ordersBinding()
	b.Listeners = b.Listeners[1:] // orders.fifo is only sent to
	eps, _ := createFor(t, sq, sn, topology.Options{}, b)

	assert.Equal(t, aws.ToString(out.QueueUrl), eps["orders.fifo"].QueueURL)
	attrs := queueAttrs(t, sq, eps["orders.fifo"].QueueURL)
	assert.Equal(t, "300", attrs["VisibilityTimeout"], "the consumer owns the attributes")
	assert.Empty(t, attrs["RedrivePolicy"])
}

func TestTopology_CreateFailsWithTheCause(t *testing.T) {
	sq, sn := newFakes()
	sq.FailNext("CreateQueue", 1, nil)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), p)

	require.ErrorIs(t, err, awsbustest.ErrInjected)
	assert.Contains(t, err.Error(), "create queue")
}

func TestTopology_CreateHonoursQueueOptions(t *testing.T) {
	tests := []struct {
		name string
		cfg  topology.Options
		want map[string]string
		max  int
	}{
		{name: "defaults", want: map[string]string{"VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20"}, max: topology.DefaultMaxReceiveCount},
		{name: "custom", cfg: topology.Options{VisibilityTimeout: 2 * time.Minute, WaitTime: 5 * time.Second, MaxReceiveCount: 3},
			want: map[string]string{"VisibilityTimeout": "120", "ReceiveMessageWaitTimeSeconds": "5"}, max: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sq, sn := newFakes()
			eps, _ := create(t, sq, sn, tt.cfg)
			for _, d := range []string{"orders.fifo", "payment-events"} {
				attrs := queueAttrs(t, sq, eps[d].QueueURL)
				for k, v := range tt.want {
					assert.Equal(t, v, attrs[k], "%s %s", d, k)
				}
				var rp map[string]any
				require.NoError(t, json.Unmarshal([]byte(attrs["RedrivePolicy"]), &rp))
				assert.EqualValues(t, tt.max, rp["maxReceiveCount"])
			}
		})
	}
}

func TestTopology_CreateFIFOTopicFeedsAFIFOEventQueue(t *testing.T) {
	sq, sn := newFakes()
	b := ordersBinding()
	for i := range b.Routes {
		if b.Routes[i].Destination == "payment-events" {
			b.Routes[i].Destination = "payments.fifo"
		}
	}
	b.Listeners[1].Destination = "payments.fifo"
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)

	eps, err := topo.Create(context.Background(), p)

	require.NoError(t, err, "the fake rejects a FIFO queue on a standard topic, as AWS does")
	ep := eps["payments.fifo"]
	assert.True(t, ep.FIFO)
	assert.True(t, strings.HasSuffix(ep.QueueURL, "/orders-payments.fifo"), ep.QueueURL)
	assert.True(t, strings.HasSuffix(ep.DLQURL, "/orders-payments-dlq.fifo"), ep.DLQURL)
	out, err := sn.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String(ep.TopicARN)})
	require.NoError(t, err)
	assert.Equal(t, "true", out.Attributes["FifoTopic"])
	assert.Equal(t, "true", out.Attributes["ContentBasedDeduplication"])
	assert.Equal(t, "true", subscriptionAttrs(t, sn, ep.TopicARN)["RawMessageDelivery"])
}
