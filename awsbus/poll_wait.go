package awsbus

import "time"

// closeAnswerMargin is how long before the shutdown deadline a long poll's
// wait ends at the latest: SQS's answer needs time to reach the subscriber
// after the wait ends, and a poll timed to end at the deadline itself
// would race it and be cut, its messages left invisible for their
// visibility timeout.
const closeAnswerMargin = time.Second

// pollWait is the WaitTimeSeconds of each ReceiveMessage call: WaitTime,
// capped so that a poll that starts as Close begins ends, with
// closeAnswerMargin to spare, before the shutdown deadline (ShutdownTimeout
// less the margin, rounded down to whole seconds), but at least 1s, SQS's
// shortest long poll. So Close cuts no poll unless ShutdownTimeout is under
// 2s. A shorter wait costs receives: an idle subscription makes one call
// per wait.
func (c ConsumerConfig) pollWait() int32 {
	capped := min(c.WaitTime, c.ShutdownTimeout-closeAnswerMargin)
	return max(sqsSeconds(capped), 1)
}
