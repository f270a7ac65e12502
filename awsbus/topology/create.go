package topology

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Create provisions p idempotently and returns its endpoints: existing
// resources are read first and only differences are written, so a second
// run makes no write call. Queues the service only sends to are created when
// missing and otherwise left alone; the queues it consumes are made first,
// so that without a known account a queue it only sends to still gets its
// policy at CreateQueue (see ownedFirst).
func (t *Provisioner) Create(ctx context.Context, p Plan) (Endpoints, error) {
	if err := t.canTable(p); err != nil {
		return nil, err
	}
	if err := checkSubscriptions(p); err != nil {
		return nil, err
	}
	for _, tbl := range p.Tables {
		if err := createTable(ctx, t.cfg.DynamoDB, tbl, p.Tags); err != nil {
			return nil, err
		}
	}
	res := newResolved()
	for _, q := range ownedFirst(p.Queues) {
		if err := t.createQueue(ctx, res, q, p.Tags); err != nil {
			return nil, err
		}
	}
	for _, tp := range p.Topics {
		if err := t.createTopic(ctx, res, tp, p.Tags); err != nil {
			return nil, err
		}
	}
	for _, pol := range p.Policies {
		if err := t.createPolicy(ctx, res, pol); err != nil {
			return nil, err
		}
	}
	for _, s := range p.Subscriptions {
		if err := t.createSubscription(ctx, res, s); err != nil {
			return nil, err
		}
	}
	return res.endpoints(p), nil
}

func (t *Provisioner) createQueue(ctx context.Context, res *resolved, q Queue, tags map[string]string) error {
	url, found, err := t.queueURL(ctx, q.Name)
	if err != nil {
		return err
	}
	if found && !q.Owned {
		res.queueURL[q.Name] = url
		return nil
	}
	dlqURL, dlqARN, err := t.ensureQueue(ctx, res, q.DLQ, q.DLQAttributes, tags, q.Owned)
	if err != nil {
		return err
	}
	res.queueURL[q.DLQ], res.queueARN[q.DLQ] = dlqURL, dlqARN
	desired := maps.Clone(q.Attributes)
	desired["RedrivePolicy"] = redrivePolicy(dlqARN, q.MaxReceiveCount)
	url, arn, err := t.ensureQueue(ctx, res, q.Name, desired, tags, q.Owned)
	if err != nil {
		return err
	}
	res.queueURL[q.Name], res.queueARN[q.Name] = url, arn
	res.maxReceives[q.Name] = q.MaxReceiveCount
	return nil
}

// ensureQueue creates queue name with desired attributes and tags, or
// reconciles an existing one when the service owns it: it writes only the
// attributes and tags that differ. An existing queue the service does not
// own (the dead-letter queue of a queue it only sends to) is its consumer's
// and is only read. Either way the queue's policy refuses requests without
// TLS: a new queue is created with that policy, so a queue the service only
// sends to needs no SetQueueAttributes; when its ARN cannot be built (no
// account known yet), the policy is set after the queue is made.
func (t *Provisioner) ensureQueue(ctx context.Context, res *resolved, name string, desired, tags map[string]string, owned bool) (url, arn string, err error) {
	url, found, err := t.queueURL(ctx, name)
	if err == nil && !found {
		url, found, err = t.newQueue(ctx, res, name, desired, tags)
	}
	var attrs map[string]string
	switch {
	case err != nil:
	case found:
		attrs, err = t.queueAttributes(ctx, name, url)
	default:
		attrs, err = t.newQueueAttributes(ctx, name, url)
	}
	if err != nil {
		return "", "", err
	}
	if found && !owned {
		return url, attrs[string(sqstypes.QueueAttributeNameQueueArn)], nil
	}
	if diff := queueDiff(desired, attrs); found && len(diff) > 0 {
		_, err := t.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: diff})
		if err != nil {
			return "", "", fmt.Errorf("set attributes %v of queue %q: %w", keys(diff), name, err)
		}
	}
	if found && len(tags) > 0 {
		if err := t.tagQueue(ctx, name, url, tags); err != nil {
			return "", "", err
		}
	}
	arn = attrs[string(sqstypes.QueueAttributeNameQueueArn)]
	if err := t.requireTLS(ctx, name, url, arn, attrs["Policy"]); err != nil {
		return "", "", err
	}
	return url, arn, nil
}

// requireTLS adds the statement refusing requests without TLS to the
// queue's policy when no statement refuses them yet.
func (t *Provisioner) requireTLS(ctx context.Context, name, url, arn, policy string) error {
	merged, added, err := RequireSecureTransport(policy, arn)
	if err != nil || !added {
		return err
	}
	_, err = t.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": merged},
	})
	if err != nil {
		return fmt.Errorf("set policy of queue %q: %w", name, err)
	}
	return nil
}

// createPolicy merges a statement per topic into the queue's access policy,
// keeping every existing statement.
func (t *Provisioner) createPolicy(ctx context.Context, res *resolved, pol Policy) error {
	url := res.queueURL[pol.Queue]
	attrs, err := t.queueAttributes(ctx, pol.Queue, url)
	if err != nil {
		return err
	}
	merged, added, err := MergeQueuePolicy(attrs["Policy"], res.queueARN[pol.Queue], topicARNs(res, pol.Topics))
	if err != nil || len(added) == 0 {
		return err
	}
	_, err = t.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": merged},
	})
	if err != nil {
		return fmt.Errorf("set policy of queue %q: %w", pol.Queue, err)
	}
	return nil
}

func topicARNs(res *resolved, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, res.topicARN[n])
	}
	return out
}

// checkSubscriptions reports a subscription without a dead-letter queue,
// which a Plan made by New always gives it (a plan built by hand may not).
func checkSubscriptions(p Plan) error {
	for _, s := range p.Subscriptions {
		if s.DLQ == "" {
			return fmt.Errorf("%w: subscription of queue %q to topic %q: Subscription.DLQ is required", ErrInvalidPlan, s.Queue, s.Topic)
		}
	}
	return nil
}

// createSubscription subscribes the queue to the topic with raw delivery,
// the filter policy (on the message attributes) and the redrive policy, or
// reconciles the attributes of an existing subscription. Attributes are set
// in name order, so a filter policy is set before its scope.
func (t *Provisioner) createSubscription(ctx context.Context, res *resolved, s Subscription) error {
	topicARN, queueARN := res.topicARN[s.Topic], res.queueARN[s.Queue]
	subARN, found, err := t.findSubscription(ctx, topicARN, queueARN)
	if err != nil {
		return err
	}
	want := wantedSubscription(s, res)
	if !found {
		attrs := map[string]string{"RawMessageDelivery": "true"}
		if want.filter != "" {
			attrs["FilterPolicy"], attrs[attrFilterScope] = want.filter, filterOnAttributes
		}
		if want.redrive != "" {
			attrs["RedrivePolicy"] = want.redrive
		}
		_, err := t.sns.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
			Attributes: attrs, ReturnSubscriptionArn: true,
		})
		if err != nil {
			return fmt.Errorf("subscribe queue %q to topic %q: %w", s.Queue, s.Topic, err)
		}
		return nil
	}
	diff, err := t.subscriptionDiff(ctx, subARN, want)
	if err != nil {
		return err
	}
	for _, k := range keys(diff) {
		_, err := t.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(subARN), AttributeName: aws.String(k), AttributeValue: aws.String(diff[k]),
		})
		if err != nil {
			return fmt.Errorf("set %s of subscription %q: %w", k, subARN, err)
		}
	}
	return nil
}

// subscriptionAttrs are the attributes a subscription should have beside
// raw delivery: the filter policy of a new subscription ("" for none), the
// types an existing one's filter must let through (see widenFilter), and
// the redrive policy ("" when its dead-letter queue is missing, which is
// then the drift).
type subscriptionAttrs struct {
	filter, redrive string
	types           []string
}

func wantedSubscription(s Subscription, res *resolved) subscriptionAttrs {
	want := subscriptionAttrs{filter: FilterPolicy(s.FilterTypes), types: s.FilterTypes}
	if arn := res.queueARN[s.DLQ]; arn != "" {
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
	out, err := t.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
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
