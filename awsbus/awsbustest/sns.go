package awsbustest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSConfig configures the SNS fake.
type SNSConfig struct {
	// EnforceQueuePolicy drops deliveries to a queue whose Policy does not
	// allow sns.amazonaws.com to SendMessage from the topic, as AWS does.
	// LocalStack does not enforce it; the default (false) behaves the same.
	EnforceQueuePolicy bool
}

// SNS is an in-memory fake of awsbus.SNSAPI that delivers to the queues of
// an SQS fake. Create it with NewSNS.
type SNS struct {
	Faults

	cfg          SNSConfig
	sqs          *SQS
	mu           sync.Mutex
	topics       map[string]*topic // by ARN
	subs         map[string]*subscription
	seq          int64
	dropped      int
	deadLettered int
}

type topic struct {
	name, arn string
	fifo      bool
	attrs     map[string]string
	tags      map[string]string
	subs      []*subscription
	dedup     map[string]struct{}
}

type subscription struct {
	arn, topicARN, protocol, endpoint string
	attrs                             map[string]string
}

// NewSNS returns an SNS fake that delivers to the queues of q and uses its
// account id and region.
func NewSNS(q *SQS, cfg SNSConfig) *SNS {
	return &SNS{cfg: cfg, sqs: q, topics: map[string]*topic{}, subs: map[string]*subscription{}}
}

// Dropped returns how many deliveries were dropped: raw deliveries with more
// than 10 attributes, and deliveries refused by a queue policy, to a missing
// queue or rejected by the queue that no subscription dead-letter queue
// took.
func (s *SNS) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// DeadLettered returns how many deliveries went to the dead-letter queue of
// their subscription's redrive policy because the queue refused them.
func (s *SNS) DeadLettered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadLettered
}

func notFound(what string) error {
	return &types.NotFoundException{Message: aws.String(what + " does not exist")}
}

func invalidParam(msg string) error {
	return &types.InvalidParameterException{Message: aws.String("Invalid parameter: " + msg)}
}

// CreateTopic creates a topic or returns the existing one of that name.
func (s *SNS) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	if err := s.begin("CreateTopic"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	fifo := strings.HasSuffix(name, ".fifo")
	if !validTopicName(name) {
		return nil, invalidParam("Topic Name")
	}
	if fifo != (in.Attributes["FifoTopic"] == "true") {
		return nil, invalidParam("Fifo Topic names must end with .fifo and FifoTopic must be true")
	}
	arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.sqs.Region(), s.sqs.AccountID(), name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.topics[arn]; ok {
		for k, v := range in.Attributes {
			if t.attrs[k] != v {
				return nil, invalidParam("Attributes Reason: Topic already exists with different attributes")
			}
		}
		return &sns.CreateTopicOutput{TopicArn: aws.String(arn)}, nil
	}
	t := &topic{name: name, arn: arn, fifo: fifo, attrs: map[string]string{}, tags: tagMap(in.Tags), dedup: map[string]struct{}{}}
	for k, v := range in.Attributes {
		t.attrs[k] = v
	}
	s.topics[arn] = t
	return &sns.CreateTopicOutput{TopicArn: aws.String(arn)}, nil
}

// GetTopicAttributes returns the topic's attributes.
func (s *SNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return withTopic(s, "GetTopicAttributes", in.TopicArn, nil, func(t *topic) (*sns.GetTopicAttributesOutput, error) {
		out := map[string]string{
			"TopicArn": t.arn, "Owner": s.sqs.AccountID(), "DisplayName": "",
			"SubscriptionsConfirmed": fmt.Sprint(len(t.subs)), "SubscriptionsPending": "0",
		}
		if t.fifo {
			out["FifoTopic"] = "true"
			out["ContentBasedDeduplication"] = "false"
		}
		for k, v := range t.attrs {
			out[k] = v
		}
		return &sns.GetTopicAttributesOutput{Attributes: out}, nil
	})
}

// validTopicName applies the SNS rules: 1-256 alphanumerics, hyphens and
// underscores, with a .fifo suffix for FIFO topics.
func validTopicName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 256 {
		return false
	}
	for _, r := range base {
		if !isAlnum(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
