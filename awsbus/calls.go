package awsbus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// callBound bounds and logs AWS calls: those Bind makes (Config.CallTimeout)
// and the depth reads (Config.HealthTimeout). setting names the bound's
// Config field; empty means CallTimeout.
type callBound struct {
	timeout time.Duration
	setting string
	log     watermill.LoggerAdapter
}

// bounded makes the SDK call op on resource, call(ctx, in, opts...), within
// c.timeout, logging it first; a call cut short by the bound fails with an
// error naming the call and the bound.
func bounded[I, O, P any](ctx context.Context, c callBound, op, resource string,
	call func(context.Context, I, ...P) (O, error), in I, opts []P) (O, error) {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.log.Debug("awsbus: AWS call", watermill.LogFields{"call": op, "resource": resource})
	out, err := call(callCtx, in, opts...)
	if err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("%s %s: no answer within %v (Config.%s): %w", op, resource, c.timeout, cmp.Or(c.setting, "CallTimeout"), err)
	}
	return out, err
}

type boundedSQS struct {
	api topology.SQSAPI
	c   callBound
}

func (b boundedSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return bounded(ctx, b.c, "sqs:GetQueueUrl", aws.ToString(in.QueueName), b.api.GetQueueUrl, in, opts)
}

func (b boundedSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	return bounded(ctx, b.c, "sqs:CreateQueue", aws.ToString(in.QueueName), b.api.CreateQueue, in, opts)
}

func (b boundedSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return bounded(ctx, b.c, "sqs:GetQueueAttributes", aws.ToString(in.QueueUrl), b.api.GetQueueAttributes, in, opts)
}

func (b boundedSQS) SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	return bounded(ctx, b.c, "sqs:SetQueueAttributes", aws.ToString(in.QueueUrl), b.api.SetQueueAttributes, in, opts)
}

func (b boundedSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return bounded(ctx, b.c, "sqs:ListQueueTags", aws.ToString(in.QueueUrl), b.api.ListQueueTags, in, opts)
}

func (b boundedSQS) TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	return bounded(ctx, b.c, "sqs:TagQueue", aws.ToString(in.QueueUrl), b.api.TagQueue, in, opts)
}

type boundedSNS struct {
	api topology.SNSAPI
	c   callBound
}

func (b boundedSNS) CreateTopic(ctx context.Context, in *sns.CreateTopicInput, opts ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	return bounded(ctx, b.c, "sns:CreateTopic", aws.ToString(in.Name), b.api.CreateTopic, in, opts)
}

func (b boundedSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return bounded(ctx, b.c, "sns:GetTopicAttributes", aws.ToString(in.TopicArn), b.api.GetTopicAttributes, in, opts)
}

func (b boundedSNS) SetTopicAttributes(ctx context.Context, in *sns.SetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	return bounded(ctx, b.c, "sns:SetTopicAttributes", aws.ToString(in.TopicArn), b.api.SetTopicAttributes, in, opts)
}

func (b boundedSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, opts ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return bounded(ctx, b.c, "sns:ListTagsForResource", aws.ToString(in.ResourceArn), b.api.ListTagsForResource, in, opts)
}

func (b boundedSNS) TagResource(ctx context.Context, in *sns.TagResourceInput, opts ...func(*sns.Options)) (*sns.TagResourceOutput, error) {
	return bounded(ctx, b.c, "sns:TagResource", aws.ToString(in.ResourceArn), b.api.TagResource, in, opts)
}

func (b boundedSNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, opts ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	return bounded(ctx, b.c, "sns:Subscribe", aws.ToString(in.TopicArn), b.api.Subscribe, in, opts)
}

func (b boundedSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, opts ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return bounded(ctx, b.c, "sns:ListSubscriptionsByTopic", aws.ToString(in.TopicArn), b.api.ListSubscriptionsByTopic, in, opts)
}

func (b boundedSNS) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	return bounded(ctx, b.c, "sns:GetSubscriptionAttributes", aws.ToString(in.SubscriptionArn), b.api.GetSubscriptionAttributes, in, opts)
}

func (b boundedSNS) SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error) {
	return bounded(ctx, b.c, "sns:SetSubscriptionAttributes", aws.ToString(in.SubscriptionArn), b.api.SetSubscriptionAttributes, in, opts)
}

type boundedSTS struct {
	api topology.STSAPI
	c   callBound
}

func (b boundedSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return bounded(ctx, b.c, "sts:GetCallerIdentity", "", b.api.GetCallerIdentity, in, opts)
}
