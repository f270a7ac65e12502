package topology_test

import (
	"context"
	"sync"
	"testing"

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

// lateSQS answers GetQueueUrl for a queue as if it did not exist until
// its own CreateQueue for it: the view of an instance that looked just
// before another one created the queue.
type lateSQS struct {
	*awsbustest.SQS
	mu      sync.Mutex
	created map[string]bool
}

func (s *lateSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.mu.Lock()
	created := s.created[aws.ToString(in.QueueName)]
	s.mu.Unlock()
	if !created {
		return nil, &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
	}
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

func (s *lateSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	s.mu.Lock()
	s.created[aws.ToString(in.QueueName)] = true
	s.mu.Unlock()
	return s.SQS.CreateQueue(ctx, in, opts...)
}

// Two instances create the topology at once: the second one's CreateQueue
// reaches AWS after the first one set the queue's policy, so SQS refuses it
// (QueueNameExists, an attribute differs). The second Create reconciles the
// queue that now exists instead of failing, and keeps the policy's
// statements.
func TestCreate_QueueCreatedMeanwhileByAnotherInstance(t *testing.T) {
	sq, sn := newFakes()
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	first, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	eps, err := first.Create(context.Background(), p)
	require.NoError(t, err)
	before := queueAttrs(t, sq, eps["payment-events"].QueueURL)["Policy"]

	second, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: &lateSQS{SQS: sq, created: map[string]bool{}}, SNS: sn})
	require.NoError(t, err)
	again, err := second.Create(context.Background(), p)
	require.NoError(t, err, "a queue created meanwhile is reconciled, not an error")

	assert.Equal(t, eps, again)
	assert.JSONEq(t, before, queueAttrs(t, sq, eps["payment-events"].QueueURL)["Policy"],
		"the statements the first instance merged are kept")
}

// Another instance created the command queue and its dead-letter queue
// meanwhile with the very same attributes but other tags (its version's):
// SQS answers the second instance's CreateQueue with the queue's URL and
// ignores its tags. The second Create reconciles the tags as on any
// existing queue.
func TestCreate_QueueCreatedMeanwhileWithTheSameAttributesGetsItsTags(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{Tags: map[string]string{"team": "payments"}})
	p, err := topology.New(ordersBinding(), topology.Options{Tags: testTags})
	require.NoError(t, err)

	second, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: &lateSQS{SQS: sq, created: map[string]bool{}}, SNS: sn})
	require.NoError(t, err)
	_, err = second.Create(context.Background(), p)
	require.NoError(t, err)

	for _, url := range []string{eps["orders.fifo"].QueueURL, eps["orders.fifo"].DLQURL} {
		assert.Equal(t, testTags, queueTags(t, sq, url), "tags of %s", url)
	}
}

// lateSNS lists no subscription of a topic until its own Subscribe to it:
// the view of an instance that looked just before another one subscribed.
type lateSNS struct {
	*awsbustest.SNS
	mu         sync.Mutex
	subscribed map[string]bool
}

func (s *lateSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, opts ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	s.mu.Lock()
	subscribed := s.subscribed[aws.ToString(in.TopicArn)]
	s.mu.Unlock()
	if !subscribed {
		return &sns.ListSubscriptionsByTopicOutput{}, nil
	}
	return s.SNS.ListSubscriptionsByTopic(ctx, in, opts...)
}

func (s *lateSNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, opts ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	s.mu.Lock()
	s.subscribed[aws.ToString(in.TopicArn)] = true
	s.mu.Unlock()
	return s.SNS.Subscribe(ctx, in, opts...)
}

// Instances of two versions of a service start at once: the older one
// subscribes the queue with its filter just before the newer one's
// Subscribe, which SNS then refuses (the subscription exists with other
// attributes). The newer one's Create reconciles that subscription as an
// existing one, widening its filter, instead of failing until a restart.
func TestCreate_SubscriptionMadeMeanwhileWithAnotherFilter(t *testing.T) {
	version := func(types ...string) sourceflow.Binding {
		return sourceflow.Binding{Service: "shipping", Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: types},
		}}
	}
	sq, sn := newFakes()
	eps, _ := createFor(t, sq, sn, topology.Options{}, version("orders.OrderPlaced"))
	p, err := topology.New(version("orders.OrderPlaced", "orders.OrderCancelled"), topology.Options{})
	require.NoError(t, err)

	newer, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: &lateSNS{SNS: sn, subscribed: map[string]bool{}}})
	require.NoError(t, err)
	_, err = newer.Create(context.Background(), p)
	require.NoError(t, err, "a subscription made meanwhile is reconciled, not an error")

	assert.JSONEq(t, `{"sf_type":["orders.OrderCancelled","orders.OrderPlaced"]}`,
		subscriptionAttrs(t, sn, eps["order-events"].TopicARN)["FilterPolicy"], "the filter is widened")
	assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, version("orders.OrderPlaced", "orders.OrderCancelled")))
}
