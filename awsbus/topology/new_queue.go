package topology

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Right after CreateQueue, AWS may answer a call about the new queue with
// QueueDoesNotExist for a moment. Create asks again for up to newQueueWait,
// first after newQueuePause, doubling the pause up to a second.
const (
	newQueueWait  = 10 * time.Second
	newQueuePause = 100 * time.Millisecond
)

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
// must come first.
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
