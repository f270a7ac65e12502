package topology

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Right after CreateQueue, AWS may answer a call about the new queue with
// QueueDoesNotExist for a moment. Create asks again for up to newQueueWait,
// first after newQueuePause, doubling the pause up to a second.
const (
	newQueueWait  = 10 * time.Second
	newQueuePause = 100 * time.Millisecond
)

// newQueue creates queue name with desired attributes, tags and, when its
// ARN can be built, the policy refusing requests without TLS. When another
// instance created the queue since it was looked up, SQS refuses the call if
// an attribute differs (the policy that instance merged statements into,
// among others); the queue is then found again and reported as existing
// (existed true), to be reconciled like any existing queue. When the
// attributes are the same, SQS answers with the URL of that instance's
// queue, ignoring tags, which this call cannot tell from a queue it made:
// existed is false, and ensureQueue reconciles an owned queue either way.
func (t *Provisioner) newQueue(ctx context.Context, res *resolved, name string, desired, tags map[string]string) (url string, existed bool, err error) {
	attrs := maps.Clone(desired)
	if attrs[AttrKMSMasterKey] != "" {
		attrs[AttrSQSManagedSSE] = "false" // said, not implied: emulators turn the default on beside the key
	}
	arn, err := t.queueARNFor(ctx, name, res)
	if ctx.Err() != nil {
		return "", false, ctx.Err()
	}
	if err == nil {
		policy, _, err := RequireSecureTransport("", arn)
		if err != nil {
			return "", false, err
		}
		attrs["Policy"] = policy
	}
	out, err := t.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs, Tags: tags})
	if isQueueNameTaken(err) {
		return t.takenQueue(ctx, name, err)
	}
	if err != nil {
		return "", false, fmt.Errorf("create queue %q: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), false, nil
}

// takenQueue finds queue name, whose CreateQueue SQS refused with taken as
// the queue exists. When the lookup fails, its error is returned (throttling,
// say, on which the caller may try again), not taken.
func (t *Provisioner) takenQueue(ctx context.Context, name string, taken error) (url string, existed bool, err error) {
	url, found, err := t.queueURL(ctx, name)
	switch {
	case err != nil:
		return "", false, fmt.Errorf("create queue %q: it exists, but %w", name, err)
	case !found:
		return "", false, fmt.Errorf("create queue %q: %w", name, taken)
	}
	return url, true, nil
}

// newQueueAttributes reads the attributes of queue name just created at
// url, asking again while AWS answers that the queue does not exist, for up
// to newQueueWait or until ctx ends.
func (t *Provisioner) newQueueAttributes(ctx context.Context, name, url string) (map[string]string, error) {
	deadline := time.Now().Add(newQueueWait)
	pause := newQueuePause
	for {
		attrs, err := t.queueAttributes(ctx, name, url)
		if !isQueueMissing(err) {
			return attrs, err
		}
		if time.Now().Add(pause).After(deadline) {
			return nil, fmt.Errorf("%w (still so %v after the queue was created)", err, newQueueWait)
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("wait for new queue %q: %w", name, context.Cause(ctx))
		case <-timer.C:
		}
		pause = min(2*pause, time.Second)
	}
}

// ownedFirst returns queues with those the service owns (consumes) first,
// each group in plan order. Without a known account, the first queue Create
// makes has no ARN to put in its policy, which is then set after the queue
// is made; every later one gets its policy at CreateQueue, from the ARN of
// the first. sqs:SetQueueAttributes is granted (NewIAMPolicy) only on the
// queues the service consumes and their dead-letter queues, so one of those
// comes first; a queue the service only sends to is never written to.
func ownedFirst(queues []Queue) []Queue {
	out := slices.Clone(queues)
	slices.SortStableFunc(out, func(a, b Queue) int {
		switch {
		case a.Owned == b.Owned:
			return 0
		case a.Owned:
			return -1
		}
		return 1
	})
	return out
}
