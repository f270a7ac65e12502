package awsbus

import (
	"strconv"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// markDelivery sets on d's message the consume markers the consume
// pipeline reads about this delivery: its receive count
// (sourceflow.MetaDeliveryCount), whether a failure dead-letters it
// (sourceflow.MetaLastDelivery, as failureReason decides), the dead-letter
// queue it then goes to (sourceflow.MetaDeadLetterQueue) and, for an
// event, the event queue it was received from (sourceflow.MetaSubscription).
func (sub *subscription) markDelivery(d *delivery) {
	md := d.msg.Metadata
	n, limit := receiveCount(d), sub.ep.MaxReceiveCount
	if n > 0 {
		md.Set(sourceflow.MetaDeliveryCount, strconv.Itoa(n))
	}
	if limit > 0 && n >= limit {
		md.Set(sourceflow.MetaLastDelivery, sourceflow.LastDelivery)
	}
	if sub.ep.DLQURL != "" {
		md.Set(sourceflow.MetaDeadLetterQueue, queueNameOf(sub.ep.DLQURL))
	}
	if queue := queueNameOf(sub.ep.QueueURL); queue != "" && queue != sub.ep.Name {
		md.Set(sourceflow.MetaSubscription, queue)
	}
}

// queueNameOf returns the name of the queue whose URL is url: its last
// path element.
func queueNameOf(url string) string {
	return url[strings.LastIndexByte(url, '/')+1:]
}
