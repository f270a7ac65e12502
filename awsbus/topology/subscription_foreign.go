package topology

import (
	"context"
	"fmt"
)

// unreadableSubscription reports an error of GetSubscriptionAttributes on
// a subscription just listed: the service's account may not read it (a
// subscription to another account's topic that the topic's owner, not the
// service, holds: AWS refuses it, LocalStack answers NotFound).
func unreadableSubscription(err error) bool {
	return err != nil && (isTopicMissing(err) || isDenied(err))
}

// resubscribe makes sure the subscription to another account's topic,
// whose attributes the service's account may not read (why), has the
// plan's: Subscribe with them is answered with the subscription when it
// has them, and refused when it has others, which the service cannot see
// or change then.
func (t *Provisioner) resubscribe(ctx context.Context, s Subscription, topicARN, queueARN string, want subscriptionAttrs, why error) error {
	_, other, err := t.subscribe(ctx, s, topicARN, queueARN, want)
	if err != nil || !other {
		return err
	}
	return fmt.Errorf("subscription of queue %q to topic %s has other attributes than raw delivery, filter and redrive "+
		"of the plan, which this account may not read (%w): the topic's owner fixes or removes it", s.Queue, s.Topic, why)
}
