package awsbus_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// regions records the region each send and publish call goes to, as its
// call options set it over the clients' region, us-east-1.
type regions struct {
	mu   sync.Mutex
	seen []string
}

func (r *regions) add(call, region string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, call+" "+region)
}

// regionOf returns the region of the options o after the call options
// opts.
func regionOf[O sqs.Options | sns.Options](o O, opts []func(*O)) string {
	for _, f := range opts {
		f(&o)
	}
	switch v := any(o).(type) {
	case sqs.Options:
		return v.Region
	case sns.Options:
		return v.Region
	}
	return ""
}

type regionSQS struct {
	*awsbustest.SQS
	r *regions
}

func (s regionSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	s.r.add("SendMessage", regionOf(sqs.Options{Region: "us-east-1"}, opts))
	return s.SQS.SendMessage(ctx, in, opts...)
}

func (s regionSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	s.r.add("SendMessageBatch", regionOf(sqs.Options{Region: "us-east-1"}, opts))
	return s.SQS.SendMessageBatch(ctx, in, opts...)
}

type regionSNS struct {
	*awsbustest.SNS
	r *regions
}

func (s regionSNS) Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error) {
	s.r.add("Publish", regionOf(sns.Options{Region: "us-east-1"}, opts))
	return s.SNS.Publish(ctx, in, opts...)
}

func (s regionSNS) PublishBatch(ctx context.Context, in *sns.PublishBatchInput, opts ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	s.r.add("PublishBatch", regionOf(sns.Options{Region: "us-east-1"}, opts))
	return s.SNS.PublishBatch(ctx, in, opts...)
}

// A queue or topic of another region (topology.Endpoint.Region, set for a
// destination named by ARN) is sent and published to in its region, one
// message or a batch; the service's own in the clients' region.
func TestPublisherSendsToTheRegionOfAForeignDestination(t *testing.T) {
	ctx := context.Background()
	fq := awsbustest.NewSQS(awsbustest.SQSConfig{})
	fs := awsbustest.NewSNS(fq, awsbustest.SNSConfig{})
	q, err := fq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-commands")})
	require.NoError(t, err)
	tp, err := fs.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("order-events")})
	require.NoError(t, err)
	eps := map[string]topology.Endpoint{
		"foreign-queue": {Kind: sourceflow.KindCommand, QueueURL: aws.ToString(q.QueueUrl), Region: "eu-west-1"},
		"foreign-topic": {Kind: sourceflow.KindEvent, TopicARN: aws.ToString(tp.TopicArn), Region: "eu-west-1"},
		"own-queue":     {Kind: sourceflow.KindCommand, QueueURL: aws.ToString(q.QueueUrl)},
	}
	r := &regions{}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: regionSQS{fq, r}, SNS: regionSNS{fs, r},
		Resolve: func(d string) (topology.Endpoint, error) { return eps[d], nil }})
	require.NoError(t, err)

	for _, dest := range []string{"foreign-queue", "foreign-topic", "own-queue"} {
		require.NoError(t, pub.Publish(dest, command(dest+"-1", "e")))
		require.NoError(t, pub.Publish(dest, []*message.Message{command(dest+"-2", "e"), command(dest+"-3", "e")}...))
	}
	assert.Equal(t, []string{"SendMessage eu-west-1", "SendMessageBatch eu-west-1", "Publish eu-west-1",
		"PublishBatch eu-west-1", "SendMessage us-east-1", "SendMessageBatch us-east-1"}, r.seen)
}
