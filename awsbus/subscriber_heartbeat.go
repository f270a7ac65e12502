package awsbus

import (
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/internal/periodic"
)

// heartbeatLoop renews the visibility of owned messages held longer than
// half the visibility timeout, until the shutdown deadline (or until the
// subscription's handlers are done, if sooner): after it every message is
// being settled. A message whose settling began (acked, backed off,
// dead-lettered, released) is skipped.
func (sub *subscription) heartbeatLoop() {
	vis := sub.cfg.VisibilityTimeout
	periodic.Run(sub.deadline, max(vis/4, 100*time.Millisecond), func() { sub.renewDue(vis) })
}

// renewDue renews, ten messages per ChangeMessageVisibilityBatch call, the
// owned messages held longer than half of vis whose renewal would keep them
// invisible longer (see renewable). The calls run at once (see inBatches),
// so a call SQS does not answer delays no other renewal; renewDue returns
// when every call has ended, so the next tick never starts a second
// renewal of a message while one is under way. Each call counts from when
// it is made.
func (sub *subscription) renewDue(vis time.Duration) {
	now := time.Now()
	var due []*delivery
	sub.mu.Lock()
	for d := range sub.owned {
		if now.Sub(d.extended) >= vis/2 && renewable(d, vis, now) {
			due = append(due, d)
		}
	}
	sub.mu.Unlock()
	inBatches(due, func(batch []*delivery) { sub.renewBatch(batch, vis, time.Now()) })
}

// renewable reports whether renewing d at now keeps it invisible longer:
// the visibility set at its last renewal (or receive) ends before SQS's
// visibility limit (see visibilityLeft), and at least a second of that
// limit is left. d.extended is read under subscription.mu.
func renewable(d *delivery, vis time.Duration, now time.Time) bool {
	return vis < visibilityLeft(d, d.extended) && visibilityLeft(d, now) >= time.Second
}

// renewBatch extends to vis the visibility of the messages of ds whose
// settling did not begin meanwhile, in one call; a message with less than
// vis left of SQS's visibility limit is extended to that limit, so it
// stays invisible as long as SQS allows while its handler runs. A settling
// call of those messages waits for the renewal call to end (see
// delivery.startRenewal), so it never runs before it and is never
// overwritten by it. No call starts after the shutdown deadline, or for a
// message whose settling began, so a settle waits for no renewal but the
// one under way. A message whose renewal failed for a reason that may pass
// (the call, or an entry failed by SQS) is renewed again on the next tick
// instead of half a visibility timeout later.
func (sub *subscription) renewBatch(ds []*delivery, vis time.Duration, now time.Time) {
	if sub.pastDeadline() {
		return
	}
	end := make(chan struct{})
	defer close(end)
	var held []*delivery
	var entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	for _, d := range ds {
		// no renewal to 0: that would release d
		if visibilityLeft(d, now) < time.Second || !d.startRenewal(end) {
			continue
		}
		entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{
			Id: entryID(len(held)), ReceiptHandle: d.raw.ReceiptHandle,
			VisibilityTimeout: sqsSeconds(min(vis, visibilityLeft(d, now))),
		})
		held = append(held, d)
	}
	if len(held) == 0 {
		return
	}
	out, err := sub.changeVisibilityBatch(entries)
	if err != nil {
		sub.log.Info("ChangeMessageVisibilityBatch failed; the renewal is tried again on the next tick",
			watermill.LogFields{"count": len(held), "err": err.Error()})
		return
	}
	renewed := make([]*delivery, 0, len(held))
	for _, r := range out.Successful {
		renewed = append(renewed, entryOf(held, r.Id))
	}
	for _, f := range out.Failed {
		d := entryOf(held, f.Id)
		if d == nil {
			continue // an id the call did not send
		}
		sub.log.Info("Visibility renewal failed", watermill.LogFields{"message_id": aws.ToString(d.raw.MessageId),
			"code": aws.ToString(f.Code), "reason": aws.ToString(f.Message), "retried": !f.SenderFault})
		if f.SenderFault { // a stale handle or a message no longer in flight: retrying cannot help
			renewed = append(renewed, d)
		}
	}
	sub.mu.Lock()
	for _, d := range renewed {
		if d != nil {
			d.extended = now
		}
	}
	sub.mu.Unlock()
}
