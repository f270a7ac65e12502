package awsbus

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// nopSQS accepts every SendMessage at no cost of its own; the other calls
// are not made by a Publisher.
type nopSQS struct{ SQSAPI }

var sent = &sqs.SendMessageOutput{}

func (nopSQS) SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return sent, nil
}

// nopSNS is nopSQS for SNS.
type nopSNS struct{ SNSAPI }

var published = &sns.PublishOutput{}

func (nopSNS) Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return published, nil
}

// benchEndpoints are a queue and a topic of another region.
var benchEndpoints = []topology.Endpoint{
	{Name: "orders", Kind: sourceflow.KindCommand, QueueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", Region: "eu-west-1"},
	{Name: "placed", Kind: sourceflow.KindEvent, TopicARN: "arn:aws:sns:eu-west-1:123456789012:placed", Region: "eu-west-1"},
}

// BenchmarkPublish measures one Publish of one message with a full
// envelope to a queue and to a topic of another region, on clients that
// answer at once: the publisher's own cost per message (checks, marshal,
// the call's input, the call slot), without the SDK's.
//
//	go test -run '^$' -bench 'Publish$' -benchmem ./awsbus
func BenchmarkPublish(b *testing.B) {
	for _, ep := range benchEndpoints {
		b.Run(ep.Kind.String(), func(b *testing.B) {
			p, err := NewPublisher(PublisherConfig{SQS: nopSQS{}, SNS: nopSNS{},
				Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
			if err != nil {
				b.Fatal(err)
			}
			msg := message.NewMessage("0b8f5c3e-6e0c-4c7e-9f7a-2d1c3b4a5e6f", []byte(`{"orderId":"o-1"}`))
			msg.Metadata = fullMetadata()
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Publish(ep.Name, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A publish to a destination met before builds no sender: its calls, and
// the region option of a queue or topic of another region, are made once.
func TestSenderBuiltOnce(t *testing.T) {
	p, err := NewPublisher(PublisherConfig{SQS: nopSQS{}, SNS: nopSNS{},
		Resolve: func(string) (topology.Endpoint, error) { return topology.Endpoint{}, nil }})
	require.NoError(t, err)
	for _, ep := range benchEndpoints {
		_, err := p.sender(ep.Name, ep)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(100, func() { _, _ = p.sender(ep.Name, ep) })
		assert.Zero(t, allocs, "%s: allocations to find the sender", ep.Name)
	}
}

// urlSQS records the queue each SendMessage goes to.
type urlSQS struct {
	SQSAPI
	urls *[]string
}

func (s urlSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	*s.urls = append(*s.urls, *in.QueueUrl)
	return sent, nil
}

// A destination that Resolve maps to another queue later is sent there:
// the sender kept for its name serves only the endpoint it was built for.
func TestSenderFollowsResolve(t *testing.T) {
	var urls []string
	ep := topology.Endpoint{Name: "orders", Kind: sourceflow.KindCommand, QueueURL: "https://sqs.us-east-1.amazonaws.com/1/orders"}
	p, err := NewPublisher(PublisherConfig{SQS: urlSQS{urls: &urls},
		Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
	require.NoError(t, err)
	require.NoError(t, p.Publish("orders", message.NewMessage("u-1", []byte("x"))))
	ep.QueueURL = "https://sqs.us-east-1.amazonaws.com/2/orders"
	require.NoError(t, p.Publish("orders", message.NewMessage("u-2", []byte("x"))))
	assert.Equal(t, []string{"https://sqs.us-east-1.amazonaws.com/1/orders", "https://sqs.us-east-1.amazonaws.com/2/orders"}, urls)
}
