package awsbus

import (
	"time"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// visibilityLeft is the longest visibility timeout SQS still takes for d
// at now, 0 when none. SQS refuses a ChangeMessageVisibility whose timeout
// would end more than 12 hours (topology.MaxVisibilityTimeout) after the
// message was received, however long the timeout itself. The receive
// happened after d.received (the start of the ReceiveMessage call), and
// the change may reach SQS up to callTimeout after now (a slow or retried
// call), so the time left is counted from d.received, less callTimeout.
func visibilityLeft(d *delivery, now time.Time) time.Duration {
	return max(topology.MaxVisibilityTimeout-now.Sub(d.received)-callTimeout, 0)
}
