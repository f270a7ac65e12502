package awsbus

import (
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// failureReason returns why a nacked d must be dead-lettered at once, or ""
// when it may be redelivered: a permanent failure (sourceflow.MetaFailure),
// or a failure on the last receive the queue's redrive policy allows, with
// the handler's error (sourceflow.MetaLastError, which cqrs records). A
// count past the limit counts too, unlike in unsettledReason: that message
// failed, and with the redrive policy raised or removed since the endpoint
// was resolved, releasing it could let it fail on without end.
func (sub *subscription) failureReason(d *delivery) string {
	if reason := d.msg.Metadata.Get(sourceflow.MetaFailure); reason != "" {
		return reason
	}
	limit, n := sub.ep.MaxReceiveCount, receiveCount(d)
	if limit < 1 || n < limit {
		return ""
	}
	reason := fmt.Sprintf("awsbus: failed on its last allowed receive (%d of %d)", n, limit)
	if text := d.msg.Metadata.Get(sourceflow.MetaLastError); text != "" {
		return reason + ": " + text
	}
	return reason + "; the handler's error was not recorded"
}

// unsettledReason returns why d, about to be made visible again unsettled
// (not handed out or not acked before shutdown, or held behind a message of
// its FIFO group until then), must be dead-lettered instead:
// it was received for the last time the redrive policy allows, so SQS would
// move it to the dead-letter queue on its next receive, without a reason.
// A malformed d's own reason follows. It returns "" when d may be
// released, also when the endpoint has no dead-letter queue to copy it to,
// and when d was received more often than the limit: SQS moves a message
// instead of handing it out past its queue's maxReceiveCount, so the queue
// allows more receives than the endpoint says (its policy was raised since
// it was resolved), and its next receive need not move d.
func (sub *subscription) unsettledReason(d *delivery, why string) string {
	limit, n := sub.ep.MaxReceiveCount, receiveCount(d)
	if sub.ep.DLQURL == "" || limit < 1 || n != limit {
		return ""
	}
	reason := fmt.Sprintf("awsbus: %s on its last allowed receive (%d of %d)", why, n, limit)
	if d.malformed != "" {
		reason += ": " + d.malformed
	}
	return reason
}

// receiveCount is d's ApproximateReceiveCount; 0 when SQS did not say.
func receiveCount(d *delivery) int { return rawReceiveCount(d.raw) }

// nackBackoff is the visibility timeout of a nacked d: the delay its
// handler hinted (sourceflow.MetaRetryAfter, which cqrs records from a
// sourceflow.RetryAfter; read by sourceflow.RetryAfterHint), at most
// MaxNackBackoff; else NackBackoff, doubled for every receive after the
// first, at most MaxNackBackoff (or NackBackoff when that is larger).
func (sub *subscription) nackBackoff(d *delivery) time.Duration {
	if d.msg != nil {
		if hint, ok := sourceflow.RetryAfterHint(d.msg.Metadata); ok {
			return min(hint, MaxNackBackoff)
		}
	}
	v := sub.cfg.NackBackoff
	if v <= 0 { // redeliver at once
		return 0
	}
	for range min(receiveCount(d)-1, 20) {
		if v >= MaxNackBackoff {
			break
		}
		v = min(2*v, MaxNackBackoff)
	}
	return v
}
