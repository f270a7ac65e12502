package topology

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// tagQueue writes the wanted tags the queue lacks or holds with another
// value.
func (t *Provisioner) tagQueue(ctx context.Context, name, url string, want map[string]string) error {
	have, err := t.queueTags(ctx, name, url)
	if err != nil {
		return err
	}
	if diff := tagDiff(want, have); len(diff) > 0 {
		if _, err := t.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: diff}); err != nil {
			return fmt.Errorf("tag queue %q: %w", name, err)
		}
	}
	return nil
}

func (t *Provisioner) queueTags(ctx context.Context, name, url string) (map[string]string, error) {
	out, err := t.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, fmt.Errorf("list tags of queue %q: %w", name, err)
	}
	return out.Tags, nil
}

// tagTopic writes the wanted tags the topic lacks. A value another service
// set is kept: topics are shared.
func (t *Provisioner) tagTopic(ctx context.Context, name, arn string, want map[string]string) error {
	have, err := t.topicTags(ctx, arn)
	if err != nil {
		return err
	}
	if diff := missingTags(want, have); len(diff) > 0 {
		if _, err := t.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: snsTags(diff)}); err != nil {
			return fmt.Errorf("tag topic %q: %w", name, err)
		}
	}
	return nil
}

func (t *Provisioner) topicTags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := t.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list tags of topic %q: %w", arn, err)
	}
	have := make(map[string]string, len(out.Tags))
	for _, tag := range out.Tags {
		have[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return have, nil
}

// tagTable writes the wanted tags the table with arn lacks. A value another
// service set is kept: the services of one store share its tables.
func tagTable(ctx context.Context, api TablesAPI, name, arn string, want map[string]string) error {
	have, err := tableTags(ctx, api, name, arn)
	if err != nil {
		return err
	}
	if diff := missingTags(want, have); len(diff) > 0 {
		_, err := api.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: dynamoTags(diff)})
		if err != nil {
			return fmt.Errorf("topology: tag table %s: %w", name, err)
		}
	}
	return nil
}

// tableTags returns the tags of the table with arn, every page.
func tableTags(ctx context.Context, api TablesAPI, name, arn string) (map[string]string, error) {
	have := map[string]string{}
	var next *string
	for {
		out, err := api.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn), NextToken: next})
		if err != nil {
			return nil, fmt.Errorf("topology: list tags of table %s: %w", name, err)
		}
		for _, tag := range out.Tags {
			have[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if aws.ToString(out.NextToken) == "" {
			return have, nil
		}
		next = out.NextToken
	}
}

func dynamoTags(tags map[string]string) []dynamotypes.Tag {
	out := make([]dynamotypes.Tag, 0, len(tags))
	for _, k := range keys(tags) {
		out = append(out, dynamotypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
