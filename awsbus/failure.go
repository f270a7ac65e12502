package awsbus

import (
	"fmt"
	"strconv"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// failureReason returns why a nacked d must be dead-lettered at once, or ""
// when it may be redelivered: a permanent failure (sourceflow.MetaFailure),
// or a failure on the last receive the queue's redrive policy allows, with
// the handler's error (sourceflow.MetaLastError, which cqrs records).
func (sub *subscription) failureReason(d *delivery) string {
	if reason := d.msg.Metadata.Get(sourceflow.MetaFailure); reason != "" {
		return reason
	}
	limit := sub.ep.MaxReceiveCount
	n, _ := strconv.Atoi(d.raw.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	if limit < 1 || n < limit {
		return ""
	}
	reason := fmt.Sprintf("awsbus: failed on its last allowed receive (%d of %d)", n, limit)
	if text := d.msg.Metadata.Get(sourceflow.MetaLastError); text != "" {
		return reason + ": " + text
	}
	return reason + "; the handler's error was not recorded"
}
