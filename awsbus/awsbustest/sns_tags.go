package awsbustest

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// topicAttributes are the attributes SetTopicAttributes accepts.
var topicAttributes = []string{"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "ContentBasedDeduplication",
	"SignatureVersion", "TracingConfig", "ArchivePolicy"}

// SetTopicAttributes sets one attribute of the topic.
func (s *SNS) SetTopicAttributes(_ context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	name := aws.ToString(in.AttributeName)
	var invalid error
	if !slices.Contains(topicAttributes, name) {
		invalid = invalidParam("AttributeName")
	}
	return withTopic(s, "SetTopicAttributes", in.TopicArn, invalid, func(t *topic) (*sns.SetTopicAttributesOutput, error) {
		t.attrs[name] = aws.ToString(in.AttributeValue)
		return &sns.SetTopicAttributesOutput{}, nil
	})
}

// ListTagsForResource returns the tags of the topic with ARN ResourceArn.
func (s *SNS) ListTagsForResource(_ context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return withTopic(s, "ListTagsForResource", in.ResourceArn, nil, func(t *topic) (*sns.ListTagsForResourceOutput, error) {
		out := &sns.ListTagsForResourceOutput{}
		for _, k := range slices.Sorted(maps.Keys(t.tags)) {
			out.Tags = append(out.Tags, types.Tag{Key: aws.String(k), Value: aws.String(t.tags[k])})
		}
		return out, nil
	})
}

// TagResource adds tags to the topic with ARN ResourceArn.
func (s *SNS) TagResource(_ context.Context, in *sns.TagResourceInput, _ ...func(*sns.Options)) (*sns.TagResourceOutput, error) {
	return withTopic(s, "TagResource", in.ResourceArn, nil, func(t *topic) (*sns.TagResourceOutput, error) {
		maps.Copy(t.tags, tagMap(in.Tags))
		return &sns.TagResourceOutput{}, nil
	})
}

func tagMap(tags []types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}
