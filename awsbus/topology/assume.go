package topology

import (
	"context"
	"fmt"
	"strings"
)

// Assume resolves the names of p to URLs and ARNs without creating or
// changing anything, for infrastructure managed as code. Queue URLs come
// from GetQueueUrl, and the maxReceiveCount of each consumed queue from its
// RedrivePolicy (GetQueueAttributes); topic ARNs are built from the
// partition, region and account of a resolved queue's ARN (or
// ProvisionerConfig.AccountID or STS, and Region) and checked with GetTopicAttributes, because
// CreateTopic would be a write and ListTopics is throttled. A missing
// resource fails with ErrNotFound. A Foreign queue is resolved with
// GetQueueUrl naming its owner's account, a Foreign topic checked with
// GetTopicAttributes, each in its region.
func (t *Provisioner) Assume(ctx context.Context, p Plan) (Endpoints, error) {
	res := newResolved()
	for _, q := range p.Queues {
		if err := t.assumeQueue(ctx, res, q); err != nil {
			return nil, err
		}
	}
	if err := t.assumeTopics(ctx, res, p); err != nil {
		return nil, err
	}
	if err := t.resolveForeign(ctx, res, p, nil); err != nil {
		return nil, err
	}
	return res.endpoints(p), nil
}

// assumeQueue resolves a queue and, when the service consumes it, its
// dead-letter queue and the maxReceiveCount of its RedrivePolicy.
func (t *Provisioner) assumeQueue(ctx context.Context, res *resolved, q Queue) error {
	names := []string{q.Name}
	if q.Owned {
		names = append(names, q.DLQ)
	}
	for _, n := range names {
		url, found, err := t.queueURL(ctx, n)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("queue %q: %w", n, ErrNotFound)
		}
		res.queueURL[n] = url
	}
	if !q.Owned {
		return nil
	}
	attrs, err := t.queueAttributes(ctx, q.Name, res.queueURL[q.Name])
	if err != nil {
		return err
	}
	res.queueARN[q.Name] = attrs["QueueArn"]
	res.maxReceives[q.Name] = redriveMaxReceives(attrs["RedrivePolicy"])
	return nil
}

func (t *Provisioner) assumeTopics(ctx context.Context, res *resolved, p Plan) error {
	if len(p.Topics) == 0 {
		return nil
	}
	for name, url := range res.queueURL {
		if res.anyQueueARN() != "" {
			break // the ARN of a consumed queue gives the account
		}
		attrs, err := t.queueAttributes(ctx, name, url)
		if err != nil {
			return err
		}
		res.queueARN[name] = attrs["QueueArn"]
	}
	var missing []string
	for _, tp := range p.Topics {
		arn, err := t.topicARNFor(ctx, tp.Name, res)
		if err != nil {
			return err
		}
		ok, err := t.topicExists(ctx, arn)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, tp.Name)
			continue
		}
		res.topicARN[tp.Name] = arn
	}
	if len(missing) > 0 {
		return fmt.Errorf("topics %s: %w", strings.Join(missing, ", "), ErrNotFound)
	}
	return nil
}
