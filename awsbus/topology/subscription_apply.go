package topology

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// checkSubscriptions reports a subscription without a dead-letter queue,
// which a Plan made by New always gives it (a plan built by hand may not),
// and one to a topic of an opt-in region other than region, the queues',
// when that is opt-in too (checkOptInDelivery).
func checkSubscriptions(p Plan, region string) error {
	for _, s := range p.Subscriptions {
		if s.DLQ == "" {
			return fmt.Errorf("%w: subscription of queue %q to topic %q: Subscription.DLQ is required", ErrInvalidPlan, s.Queue, s.Topic)
		}
		if err := checkOptInDelivery(s.Topic, region); err != nil {
			return err
		}
	}
	return nil
}

// createSubscription subscribes the queue to the topic with raw delivery,
// the filter policy (on the message attributes) and the redrive policy, or
// reconciles the attributes of an existing subscription, one another
// instance made meanwhile included. Attributes are set in name order, so a
// filter policy is set before its scope.
func (t *Provisioner) createSubscription(ctx context.Context, res *resolved, s Subscription) error {
	topicARN, queueARN := res.topicARN[s.Topic], res.queueARN[s.Queue]
	subARN, found, err := t.findSubscription(ctx, topicARN, queueARN)
	if err != nil {
		return err
	}
	want := wantedSubscription(s, res)
	if !found {
		subARN, found, err = t.subscribe(ctx, s, topicARN, queueARN, want)
		if err != nil || !found {
			return err
		}
	}
	diff, err := t.subscriptionDiff(ctx, subARN, want)
	if IsARN(s.Topic) && unreadableSubscription(err) {
		return t.resubscribe(ctx, s, topicARN, queueARN, want, err)
	}
	if err != nil {
		return err
	}
	for _, k := range keys(diff) {
		_, err := t.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(subARN), AttributeName: aws.String(k), AttributeValue: aws.String(diff[k]),
		}, t.snsIn(subARN)...)
		if err != nil {
			return fmt.Errorf("set %s of subscription %q: %w", k, subARN, err)
		}
	}
	return nil
}

// subscribe subscribes the queue to the topic with the wanted attributes.
// When another instance subscribed it meanwhile with other attributes (a
// filter of another version's types), SNS refuses the call; that
// subscription is then found again and reported as existing (existed
// true, with its ARN), to be reconciled like any existing subscription.
func (t *Provisioner) subscribe(ctx context.Context, s Subscription, topicARN, queueARN string, want subscriptionAttrs) (subARN string, existed bool, err error) {
	attrs := map[string]string{"RawMessageDelivery": "true"}
	if want.filter != "" {
		attrs["FilterPolicy"], attrs[attrFilterScope] = want.filter, filterOnAttributes
	}
	if want.redrive != "" {
		attrs["RedrivePolicy"] = want.redrive
	}
	_, err = t.sns.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
		Attributes: attrs, ReturnSubscriptionArn: true,
	}, t.snsIn(topicARN)...)
	if err == nil {
		return "", false, nil
	}
	if !isSubscriptionTaken(err) {
		return "", false, fmt.Errorf("subscribe queue %q to topic %q: %w", s.Queue, s.Topic, err)
	}
	subARN, found, lookupErr := t.findSubscription(ctx, topicARN, queueARN)
	switch {
	case lookupErr != nil:
		return "", false, fmt.Errorf("subscribe queue %q to topic %q: it exists, but %w", s.Queue, s.Topic, lookupErr)
	case !found:
		return "", false, fmt.Errorf("subscribe queue %q to topic %q: %w", s.Queue, s.Topic, err)
	}
	return subARN, true, nil
}

// subscriptionAttrs are the attributes a subscription should have beside
// raw delivery: the filter policy of a new subscription ("" for none), the
// types an existing one's filter must let through (see widenFilter), and
// the redrive policy ("" when its dead-letter queue is missing, which is
// then the drift, or in another region than the topic: SNS redrives only
// to a queue of the subscription's region).
type subscriptionAttrs struct {
	filter, redrive string
	types           []string
}

func wantedSubscription(s Subscription, res *resolved) subscriptionAttrs {
	want := subscriptionAttrs{filter: FilterPolicy(s.FilterTypes), types: s.FilterTypes}
	if arn := res.queueARN[s.DLQ]; arn != "" && arnRegion(arn) == arnRegion(res.topicARN[s.Topic]) {
		want.redrive = subscriptionRedrive(arn)
	}
	return want
}

// subscriptionRedrive is the RedrivePolicy of a subscription whose
// dead-letter queue is dlqARN.
func subscriptionRedrive(dlqARN string) string {
	b, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN})
	return string(b)
}

// attrFilterScope is the subscription attribute that says what its filter
// policy applies to; filterOnAttributes, the AWS default when it is absent,
// is the one a filter on the type attribute works with (on MessageBody SNS
// drops every message).
const (
	attrFilterScope    = "FilterPolicyScope"
	filterOnAttributes = "MessageAttributes"
)

// subscriptionDiff returns the subscription attributes that differ from
// raw delivery, the filter policy widenFilter wants ("{}" removes a filter)
// applied to the message attributes, and the wanted redrive policy.
func (t *Provisioner) subscriptionDiff(ctx context.Context, subARN string, want subscriptionAttrs) (map[string]string, error) {
	out, err := t.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)}, t.snsIn(subARN)...)
	if err != nil {
		return nil, fmt.Errorf("get attributes of subscription %q: %w", subARN, err)
	}
	diff := map[string]string{}
	if out.Attributes["RawMessageDelivery"] != "true" {
		diff["RawMessageDelivery"] = "true"
	}
	filter, change, err := widenFilter(out.Attributes["FilterPolicy"], want.types)
	if err != nil {
		return nil, fmt.Errorf("subscription %q: %w", subARN, err)
	}
	if change {
		diff["FilterPolicy"] = filter
	}
	if scope := out.Attributes[attrFilterScope]; len(want.types) > 0 && scope != "" && scope != filterOnAttributes {
		diff[attrFilterScope] = filterOnAttributes
	}
	if want.redrive != "" && !sameJSON(out.Attributes["RedrivePolicy"], want.redrive) {
		diff["RedrivePolicy"] = want.redrive
	}
	return diff, nil
}
