package awsbustest

import (
	"context"
	"maps"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// ListQueueTags returns the queue's tags.
func (s *SQS) ListQueueTags(_ context.Context, in *sqs.ListQueueTagsInput, _ ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return withQueue(s, "ListQueueTags", in.QueueUrl, nil, func(q *queue) (*sqs.ListQueueTagsOutput, error) {
		return &sqs.ListQueueTagsOutput{Tags: maps.Clone(q.tags)}, nil
	})
}

// TagQueue adds tags to the queue, replacing the values of keys it has.
func (s *SQS) TagQueue(_ context.Context, in *sqs.TagQueueInput, _ ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	return withQueue(s, "TagQueue", in.QueueUrl, nil, func(q *queue) (*sqs.TagQueueOutput, error) {
		if q.tags == nil {
			q.tags = map[string]string{}
		}
		maps.Copy(q.tags, in.Tags)
		return &sqs.TagQueueOutput{}, nil
	})
}
