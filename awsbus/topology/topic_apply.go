package topology

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// createTopic creates topic tp with its attributes, tags and the policy
// refusing publishing without TLS, or completes an existing one. A topic is
// shared by the services that publish to it and listen to it, so on an
// existing topic Create fills in a missing key and missing tags but never
// overwrites a key or a tag value another service set (they would write
// theirs back in turn); Validate reports such a difference. When the
// service publishes to the topic (owned), Create also adds the statement
// refusing publishing without TLS to its policy when missing (see
// Plan.publishes). SNS refuses CreateTopic with attributes that differ from
// an existing topic's, so the topic's attributes are read first. Without an
// account to build the topic's ARN from, CreateTopic alone runs, without
// the policy, which is then set on a topic the service publishes to: it
// creates a missing topic and refuses an existing one that differs.
func (t *Provisioner) createTopic(ctx context.Context, res *resolved, tp Topic, tags map[string]string, owned bool) error {
	arn, err := t.topicARNFor(ctx, tp.Name, res)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return t.newTopic(ctx, res, tp, tags, "", owned)
	}
	attrs, found, err := t.topicAttributes(ctx, arn)
	if err != nil {
		return err
	}
	if !found {
		return t.newTopic(ctx, res, tp, tags, arn, owned)
	}
	res.topicARN[tp.Name] = arn
	for _, k := range keys(topicDiff(tp.Attributes, attrs)) {
		if k == AttrKMSMasterKey && attrs[k] != "" {
			continue // another service's key: reported by Validate
		}
		_, err := t.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
			TopicArn: aws.String(arn), AttributeName: aws.String(k), AttributeValue: aws.String(tp.Attributes[k]),
		})
		if err != nil {
			return fmt.Errorf("set %s of topic %q: %w", k, tp.Name, err)
		}
	}
	if owned {
		if err := t.requireTopicTLS(ctx, tp.Name, arn, attrs["Policy"]); err != nil {
			return err
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return t.tagTopic(ctx, tp.Name, arn, tags)
}

// newTopic creates topic tp, with the policy refusing publishing without
// TLS when its ARN is known (arn not ""); otherwise the policy is set once
// the topic is made, on a topic the service publishes to.
func (t *Provisioner) newTopic(ctx context.Context, res *resolved, tp Topic, tags map[string]string, arn string, owned bool) error {
	attrs, err := newTopicAttributes(tp, arn)
	if err != nil {
		return err
	}
	out, err := t.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(tp.Name), Attributes: attrs, Tags: snsTags(tags)})
	if err != nil {
		return fmt.Errorf("create topic %q: %w", tp.Name, err)
	}
	res.topicARN[tp.Name] = aws.ToString(out.TopicArn)
	if arn != "" {
		return nil
	}
	return t.secureNewTopic(ctx, tp.Name, aws.ToString(out.TopicArn), owned)
}

// topicAttributes returns the attributes of the topic with arn; found is
// false when it does not exist.
func (t *Provisioner) topicAttributes(ctx context.Context, arn string) (attrs map[string]string, found bool, err error) {
	out, err := t.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)}, t.snsIn(arn)...)
	if isTopicMissing(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get attributes of topic %q: %w", arn, err)
	}
	return out.Attributes, true, nil
}

// topicDiff returns the desired topic attributes whose actual value
// differs. FifoTopic follows from the name and cannot change; a KMS key
// written another way (see SameKey) is the same key.
func topicDiff(desired, actual map[string]string) map[string]string {
	diff := map[string]string{}
	for k, v := range desired {
		switch {
		case k == "FifoTopic":
		case k == AttrKMSMasterKey && SameKey(actual[k], v):
		case actual[k] != v:
			diff[k] = v
		}
	}
	return diff
}

// validateTopic reports a missing topic, attributes that differ, on a
// topic the service publishes to (owned) a policy that does not refuse
// publishing without TLS and, when tags are wanted, tags that differ.
func (t *Provisioner) validateTopic(ctx context.Context, rep *DriftReport, tp Topic, arn string, tags map[string]string, owned bool) (found bool, err error) {
	attrs, found, err := t.topicAttributes(ctx, arn)
	if err != nil || !found {
		return found, err
	}
	diff := topicDiff(tp.Attributes, attrs)
	for _, k := range keys(diff) {
		report := rep.add
		if k == AttrKMSMasterKey && attrs[k] != "" {
			report = rep.keep // another service's key: createTopic leaves it
		}
		report("topic", tp.Name, "%s is %s, want %s", k, orNone(attrs[k]), diff[k])
	}
	validateTopicTLS(rep, tp.Name, arn, attrs, owned)
	if len(tags) == 0 {
		return true, nil
	}
	have, err := t.topicTags(ctx, arn)
	if err != nil {
		return true, err
	}
	reportTagDiff(rep, "topic", tp.Name, tags, have, true)
	return true, nil
}

func snsTags(tags map[string]string) []snstypes.Tag {
	out := make([]snstypes.Tag, 0, len(tags))
	for _, k := range keys(tags) {
		out = append(out, snstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
