package topology_test

import (
	"context"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// callLog records each call of the Provisioner as the IAM action that
// authorizes it and the ARN IAM authorizes it on, "sqs:CreateQueue
// arn:aws:sqs:…:name"; the subscription attribute calls on both the
// subscription's ARN and its topic's, since either may be the resource IAM
// matches them against (recordSubscription).
type callLog struct {
	mu    sync.Mutex
	calls []string
	scope string // "arn:aws:<service>:<region>:<account>:" with %s for the service
}

func newCallLog(fake *awsbustest.SQS) *callLog {
	return &callLog{scope: "arn:aws:%s:" + fake.Region() + ":" + fake.AccountID() + ":"}
}

func (l *callLog) record(service, action, resource string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	arn := resource
	if !strings.HasPrefix(resource, "arn:") && resource != "*" {
		arn = strings.Replace(l.scope, "%s", service, 1) + resource
	}
	l.calls = append(l.calls, service+":"+action+" "+arn)
}

// recordSubscription records a subscription attribute call twice: on the
// subscription's ARN and on its topic's (the subscription's ARN without
// its last ":" and id), the resource type the SNS service authorization
// reference lists for these actions.
func (l *callLog) recordSubscription(action, subscriptionARN string) {
	l.record("sns", action, subscriptionARN)
	if i := strings.LastIndex(subscriptionARN, ":"); i > 0 {
		l.record("sns", action, subscriptionARN[:i])
	}
}

// reset forgets the calls recorded so far.
func (l *callLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

// denied returns the recorded calls that pol does not allow, conditions
// aside, and how many calls were recorded.
func (l *callLog) denied(pol topology.IAMPolicy) (denied []string, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.calls {
		action, arn, _ := strings.Cut(c, " ")
		if !slices.ContainsFunc(pol.Statement, func(s topology.IAMStatement) bool {
			return slices.Contains(s.Action, action) && slices.ContainsFunc(s.Resource, func(r string) bool { return allows(r, arn) })
		}) {
			out = append(out, c)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), len(l.calls)
}

// allows reports whether the Resource element resource names arn: the
// ARN, "*", or a pattern ending in "*" that arn starts with.
func allows(resource, arn string) bool {
	prefix, pattern := strings.CutSuffix(resource, "*")
	return resource == arn || pattern && strings.HasPrefix(arn, prefix)
}

// recordingSQS records the calls of the Provisioner on an SQS fake; a
// queue named by URL is named by the URL's last segment.
type recordingSQS struct {
	*awsbustest.SQS
	log *callLog
}

func (s recordingSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.log.record("sqs", "GetQueueUrl", aws.ToString(in.QueueName))
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

func (s recordingSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	s.log.record("sqs", "CreateQueue", aws.ToString(in.QueueName))
	return s.SQS.CreateQueue(ctx, in, opts...)
}

func (s recordingSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	s.log.record("sqs", "GetQueueAttributes", path.Base(aws.ToString(in.QueueUrl)))
	return s.SQS.GetQueueAttributes(ctx, in, opts...)
}

func (s recordingSQS) SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	s.log.record("sqs", "SetQueueAttributes", path.Base(aws.ToString(in.QueueUrl)))
	return s.SQS.SetQueueAttributes(ctx, in, opts...)
}

func (s recordingSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	s.log.record("sqs", "ListQueueTags", path.Base(aws.ToString(in.QueueUrl)))
	return s.SQS.ListQueueTags(ctx, in, opts...)
}

func (s recordingSQS) TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	s.log.record("sqs", "TagQueue", path.Base(aws.ToString(in.QueueUrl)))
	return s.SQS.TagQueue(ctx, in, opts...)
}

// recordingSNS records the calls of the Provisioner on an SNS fake.
type recordingSNS struct {
	*awsbustest.SNS
	log *callLog
}

func (s recordingSNS) CreateTopic(ctx context.Context, in *sns.CreateTopicInput, opts ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	s.log.record("sns", "CreateTopic", aws.ToString(in.Name))
	return s.SNS.CreateTopic(ctx, in, opts...)
}

func (s recordingSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	s.log.record("sns", "GetTopicAttributes", aws.ToString(in.TopicArn))
	return s.SNS.GetTopicAttributes(ctx, in, opts...)
}

func (s recordingSNS) SetTopicAttributes(ctx context.Context, in *sns.SetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	s.log.record("sns", "SetTopicAttributes", aws.ToString(in.TopicArn))
	return s.SNS.SetTopicAttributes(ctx, in, opts...)
}

func (s recordingSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, opts ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	s.log.record("sns", "ListTagsForResource", aws.ToString(in.ResourceArn))
	return s.SNS.ListTagsForResource(ctx, in, opts...)
}

func (s recordingSNS) TagResource(ctx context.Context, in *sns.TagResourceInput, opts ...func(*sns.Options)) (*sns.TagResourceOutput, error) {
	s.log.record("sns", "TagResource", aws.ToString(in.ResourceArn))
	return s.SNS.TagResource(ctx, in, opts...)
}

func (s recordingSNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, opts ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	s.log.record("sns", "Subscribe", aws.ToString(in.TopicArn))
	return s.SNS.Subscribe(ctx, in, opts...)
}

func (s recordingSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, opts ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	s.log.record("sns", "ListSubscriptionsByTopic", aws.ToString(in.TopicArn))
	return s.SNS.ListSubscriptionsByTopic(ctx, in, opts...)
}

func (s recordingSNS) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	s.log.recordSubscription("GetSubscriptionAttributes", aws.ToString(in.SubscriptionArn))
	return s.SNS.GetSubscriptionAttributes(ctx, in, opts...)
}

func (s recordingSNS) SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error) {
	s.log.recordSubscription("SetSubscriptionAttributes", aws.ToString(in.SubscriptionArn))
	return s.SNS.SetSubscriptionAttributes(ctx, in, opts...)
}
