package topology

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/sourceflow-go/sourceflow"
)

// Publishes reports whether the service of p publishes to its topic name:
// it routes an event type there. Such a topic is the service's as a queue
// it consumes is: Create adds the statement refusing publishing without
// TLS to the policy of an existing one, and Validate reports the statement
// missing. A topic it only listens to is its publisher's: Create makes it
// with the statement when it is missing and its ARN is known (the account
// found), without it otherwise, and leaves the policy of an existing one
// alone, as it leaves a queue it only sends to. iac renders a topic's policy
// only for such a topic.
func (p Plan) Publishes(topic string) bool {
	return slices.ContainsFunc(p.Destinations, func(d Destination) bool {
		return d.Kind == sourceflow.KindEvent && d.Routed && d.Topic == topic
	})
}

// newTopicAttributes returns the attributes CreateTopic makes topic tp
// with: its own and, when its ARN is known (arn not ""), the policy
// refusing publishing without TLS.
func newTopicAttributes(tp Topic, arn string) (map[string]string, error) {
	if arn == "" {
		return tp.Attributes, nil
	}
	policy, _, err := RequireTopicSecureTransport("", arn)
	if err != nil {
		return nil, err
	}
	attrs := maps.Clone(tp.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["Policy"] = policy
	return attrs, nil
}

// requireTopicTLS adds the statement refusing publishing without TLS to
// policy, the access policy of topic name with arn, when no statement
// refuses that yet.
func (t *Provisioner) requireTopicTLS(ctx context.Context, name, arn, policy string) error {
	merged, added, err := RequireTopicSecureTransport(policy, arn)
	if err != nil || !added {
		return err
	}
	_, err = t.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(merged),
	})
	if err != nil {
		return fmt.Errorf("set policy of topic %q: %w", name, err)
	}
	return nil
}

// secureNewTopic adds the statement refusing publishing without TLS to
// topic name, made without it at arn as its ARN was not known then, when
// the service publishes to it. CreateTopic answers an existing topic of
// the same attributes with its ARN, so the topic's policy is read first.
func (t *Provisioner) secureNewTopic(ctx context.Context, name, arn string, owned bool) error {
	if !owned {
		return nil
	}
	attrs, _, err := t.topicAttributes(ctx, arn)
	if err != nil {
		return err
	}
	return t.requireTopicTLS(ctx, name, arn, attrs["Policy"])
}

// validateTopicTLS reports a topic the service publishes to whose policy
// does not refuse publishing without TLS.
func validateTopicTLS(rep *DriftReport, name, arn string, attrs map[string]string, owned bool) {
	if owned && !TopicRefusesInsecureTransport(attrs["Policy"], arn) {
		rep.add("topic", name, "Policy does not refuse publishing without TLS (statement %s: Deny %s when aws:SecureTransport is false)",
			SecureTransportSid, topicTLS.action)
	}
}
