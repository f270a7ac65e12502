package awsbus

import (
	"context"
	"fmt"
)

// Assume resolves the names of p to URLs and ARNs without creating or
// changing anything, for infrastructure managed as code. Queue URLs come
// from GetQueueUrl; topic ARNs are built from the partition, region and
// account of a resolved queue's ARN (or Config.AccountID and Region) and
// checked with GetTopicAttributes, because CreateTopic would be a write and
// ListTopics is throttled. A missing resource fails with ErrNotFound.
func (t *Topology) Assume(ctx context.Context, p Plan) (Endpoints, error) {
	res := newResolved()
	for _, q := range p.Queues {
		names := []string{q.Name}
		if q.Owned {
			names = append(names, q.DLQ)
		}
		for _, n := range names {
			url, found, err := t.queueURL(ctx, n)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, fmt.Errorf("queue %q: %w", n, ErrNotFound)
			}
			res.queueURL[n] = url
		}
	}
	if err := t.assumeTopics(ctx, res, p); err != nil {
		return nil, err
	}
	return res.endpoints(p), nil
}

func (t *Topology) assumeTopics(ctx context.Context, res *resolved, p Plan) error {
	if len(p.Topics) == 0 {
		return nil
	}
	for name, url := range res.queueURL {
		attrs, err := t.queueAttributes(ctx, name, url)
		if err != nil {
			return err
		}
		res.queueARN[name] = attrs["QueueArn"]
		break
	}
	var rep DriftReport
	if err := t.resolveTopics(ctx, res, &rep, Plan{Topics: p.Topics}); err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("%s: %w", rep, ErrNotFound)
	}
	return nil
}
