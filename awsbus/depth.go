package awsbus

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// depthQueue is one queue whose depth Depths reads.
type depthQueue struct {
	name, url string
	dlq       bool
}

// Depths reads the approximate depth of every queue this service consumes
// over AWS (command queues and its event queues) and of their dead-letter
// queues, with one GetQueueAttributes call each, and returns them in plan
// order (a queue, then its dead-letter queue). The calls run at once
// (topology.MaxParallelReads at a time), each
// bounded by Config.HealthTimeout, so a queue whose call is not answered
// costs at most that long and not the caller's whole deadline. A queue that
// cannot be read is left out and its error joined into the returned error,
// so a caller gets the depths that were read together with what failed.
// Before Bind it fails with ErrNotBound, after Close with ErrClosed.
func (t *Transport) Depths(ctx context.Context) ([]sourceflow.QueueDepth, error) {
	queues, err := t.depthQueues()
	if err != nil {
		return nil, err
	}
	depths := make([]sourceflow.QueueDepth, len(queues))
	errs := make([]error, len(queues))
	var g errgroup.Group
	g.SetLimit(topology.MaxParallelReads)
	for i, q := range queues {
		g.Go(func() error { depths[i], errs[i] = t.queueDepth(ctx, q); return nil })
	}
	_ = g.Wait() // each queue's error is in errs
	out := make([]sourceflow.QueueDepth, 0, len(queues))
	for i, d := range depths {
		if errs[i] == nil {
			out = append(out, d)
		}
	}
	return out, errors.Join(errs...)
}

// depthQueues lists the consumed queues and their dead-letter queues with
// their resolved URLs.
func (t *Transport) depthQueues() ([]depthQueue, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(); err != nil {
		return nil, err
	}
	var out []depthQueue
	for _, q := range t.plan.Queues {
		if !q.Owned {
			continue
		}
		out = append(out,
			depthQueue{name: q.Name, url: t.queueURLs[q.Name]},
			depthQueue{name: q.DLQ, url: t.queueURLs[q.DLQ], dlq: true})
	}
	return out, nil
}

func (t *Transport) queueDepth(ctx context.Context, q depthQueue) (sourceflow.QueueDepth, error) {
	if q.url == "" {
		return sourceflow.QueueDepth{}, fmt.Errorf("awsbus: depth of queue %q: %w", q.name, topology.ErrNotFound)
	}
	out, err := t.depthAttributes(ctx, q)
	if err != nil {
		return sourceflow.QueueDepth{}, fmt.Errorf("awsbus: depth of queue %q: %w", q.name, err)
	}
	d := sourceflow.QueueDepth{Queue: q.name, DLQ: q.dlq}
	var errs []error
	d.Visible, errs = parseCount(out.Attributes, sqstypes.QueueAttributeNameApproximateNumberOfMessages, errs)
	d.InFlight, errs = parseCount(out.Attributes, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible, errs)
	if err := errors.Join(errs...); err != nil {
		return sourceflow.QueueDepth{}, fmt.Errorf("awsbus: depth of queue %q: %w", q.name, err)
	}
	return d, nil
}

// depthAttributes reads the message counts of queue q within
// Config.HealthTimeout; a call cut short by that bound fails saying so.
func (t *Transport) depthAttributes(ctx context.Context, q depthQueue) (*sqs.GetQueueAttributesOutput, error) {
	c := callBound{timeout: t.cfg.HealthTimeout, setting: "HealthTimeout", log: t.serviceLogger()}
	return bounded(ctx, c, "GetQueueAttributes", q.name, t.clients.SQS.GetQueueAttributes, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q.url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	}, nil)
}

// parseCount reads a count attribute; a missing or malformed one is
// appended to errs.
func parseCount(attrs map[string]string, name sqstypes.QueueAttributeName, errs []error) (int64, []error) {
	v, ok := attrs[string(name)]
	if !ok {
		return 0, append(errs, fmt.Errorf("attribute %s missing from the answer", name))
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, append(errs, fmt.Errorf("attribute %s: %w", name, err))
	}
	return n, errs
}
