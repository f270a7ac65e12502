package cli

import "strconv"

// receivesUnknown is what peek shows for the receives of a dead letter
// that does not say how often the consumer received it.
const receivesUnknown = "unknown (the dead letter does not say: moved by the queue's redrive policy, sent by a producer, or copied by an older SourceFlow)"

// originUnknown is what peek shows for the host or the version of a dead
// letter that does not say where its handler failed.
const originUnknown = "unknown"

// Labels of a dead letter's SQS SentTimestamp in the dead-letter queue.
const (
	// labelDeadLettered: a dead letter awsbus copied, with its reason, is
	// sent to the dead-letter queue when it is dead-lettered.
	labelDeadLettered = "dead-lettered"
	// labelEnqueued: SQS keeps a standard queue's enqueue time when its
	// redrive policy moves a message, so a dead letter without a reason
	// may show when it was sent to its source queue.
	labelEnqueued = "enqueued"
)

// receivesText is how often the consumer received d, as text; "" when d
// does not say.
func (d deadLetter) receivesText() string {
	if d.receives < 1 {
		return ""
	}
	return strconv.Itoa(d.receives)
}

// queuedLabel names d's SQS SentTimestamp: labelDeadLettered for a copy
// awsbus made with its reason, labelEnqueued for a message without one.
func (d deadLetter) queuedLabel() string {
	if d.reason != "" {
		return labelDeadLettered
	}
	return labelEnqueued
}
