package topology

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Create provisions p idempotently and returns its endpoints: existing
// resources are read first and only differences are written, so a second
// run makes no write call. Queues the service only sends to are created when
// missing and otherwise left alone; the queues it consumes are made first,
// so that without a known account a queue it only sends to still gets its
// policy at CreateQueue (see ownedFirst). A service that consumes no queue
// needs the account (ProvisionerConfig.AccountID or STS) to create a queue
// it only sends to: without it Create refuses rather than make the queue
// without the policy refusing requests without TLS. A key ARN of another
// region than ProvisionerConfig.Region is refused before any call
// (ErrInvalidConfig, see CheckKeyRegion): SQS and SNS could not encrypt
// under it. A Foreign queue or topic is never created nor changed: a
// missing one fails Create with ErrNotFound before any write, naming what
// its owner must create and grant; the service's event queue of a Foreign
// topic is subscribed to it in the topic's region. A subscription between
// two different opt-in regions (IsOptInRegion), where SNS does not deliver,
// is refused before any call (ErrInvalidConfig).
func (t *Provisioner) Create(ctx context.Context, p Plan) (Endpoints, error) {
	if err := t.canTable(p); err != nil {
		return nil, err
	}
	if err := checkSubscriptions(p, t.cfg.Region); err != nil {
		return nil, err
	}
	if err := CheckKeyRegion(p.KMSKeyID, t.cfg.Region); err != nil {
		return nil, fmt.Errorf("%w: KMS key %s: %w", ErrInvalidConfig, p.KMSKeyID, err)
	}
	res := newResolved()
	if err := t.resolveForeign(ctx, res, p, nil); err != nil {
		return nil, err // before any write
	}
	for _, tbl := range p.Tables {
		// A table with other keys is left as it is; Validate reports them.
		var drift *DriftError
		if err := createTable(ctx, t.cfg.DynamoDB, tbl, p.Tags); err != nil && !errors.As(err, &drift) {
			return nil, err
		}
	}
	for _, q := range ownedFirst(p.Queues) {
		if err := t.createQueue(ctx, res, q, p.Tags); err != nil {
			return nil, err
		}
	}
	for _, tp := range p.Topics {
		if err := t.createTopic(ctx, res, tp, p.Tags, p.Publishes(tp.Name)); err != nil {
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
			if f, ok := p.foreign(s.Topic); ok {
				err = foreignError(f, err) // a topic policy that lets read but not subscribe
			}
			return nil, err
		}
	}
	return res.endpoints(p), nil
}

func (t *Provisioner) createQueue(ctx context.Context, res *resolved, q Queue, tags map[string]string) error {
	url, found, err := t.lookupQueue(ctx, res, q.Name)
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
// attributes and tags that differ. A queue the service does not own (one it
// only sends to, or its dead-letter queue) is its consumer's: it is created
// when missing and otherwise only read, never written to. A new queue is
// created with the policy refusing requests without TLS when its ARN can be
// built; when it cannot (no account known yet), the policy is set after the
// queue is made on a queue the service owns, and a queue it does not own is
// not made at all (see canSecure).
//
// A queue the service owns is reconciled after CreateQueue too: another
// instance may have created it meanwhile with the very same attributes, and
// SQS then answers with that queue's URL and ignores the tags given, so it
// is reconciled as the existing queue it is (a queue this call created has
// nothing to write).
func (t *Provisioner) ensureQueue(ctx context.Context, res *resolved, name string, desired, tags map[string]string, owned bool) (url, arn string, err error) {
	url, found, err := t.lookupQueue(ctx, res, name)
	if err == nil && !found && !owned {
		err = t.canSecure(ctx, res, name)
	}
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
	arn = attrs[string(sqstypes.QueueAttributeNameQueueArn)]
	if !owned {
		return url, arn, nil
	}
	if err := t.reconcileQueue(ctx, name, url, desired, attrs, tags); err != nil {
		return "", "", err
	}
	if err := t.requireTLS(ctx, name, url, arn, attrs["Policy"]); err != nil {
		return "", "", err
	}
	return url, arn, nil
}

// canSecure reports whether queue name, missing and consumed by another
// service, can be created with the policy refusing requests without TLS:
// this service may not write to it afterwards, so without the account to
// build its ARN (no queue of its own, no AccountID and no STS client, or
// no Region) the queue would stay without that statement until its consumer's Create.
func (t *Provisioner) canSecure(ctx context.Context, res *resolved, name string) error {
	_, err := t.queueARNFor(ctx, name, res)
	if err == nil {
		return nil
	}
	missing := "ProvisionerConfig.AccountID or an STS client"
	switch {
	case t.cfg.Region == "" && (t.cfg.AccountID != "" || t.cfg.STS != nil):
		missing = "ProvisionerConfig.Region"
	case t.cfg.Region == "":
		missing = "ProvisionerConfig.Region, and AccountID or an STS client"
	}
	return fmt.Errorf("create queue %q, which another service consumes, with its policy refusing requests without TLS: %w: "+
		"set %s, or create the consuming service first", name, err, missing)
}

// reconcileQueue writes the desired attributes the queue at url lacks or
// holds with another value (attrs are its current ones), and the tags it
// lacks or holds with another value.
func (t *Provisioner) reconcileQueue(ctx context.Context, name, url string, desired, attrs, tags map[string]string) error {
	if diff := queueDiff(desired, attrs); len(diff) > 0 {
		_, err := t.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: diff})
		if err != nil {
			return fmt.Errorf("set attributes %v of queue %q: %w", keys(diff), name, err)
		}
	}
	if len(tags) > 0 {
		return t.tagQueue(ctx, name, url, tags)
	}
	return nil
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
	topics := each(pol.Topics, func(n string) string { return res.topicARN[n] })
	merged, added, err := MergeQueuePolicy(attrs["Policy"], res.queueARN[pol.Queue], topics)
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
