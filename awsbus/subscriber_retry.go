package awsbus

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// retryHere keeps a nacked FIFO message whose group has messages held
// behind it, waits its back-off while the heartbeat keeps it and them
// hidden, and reports true when it is to be handed out again. Making it
// visible would release the held messages too, and every receive of theirs
// would count toward their maxReceiveCount though they never ran: a
// message behind a failing one would reach its last allowed receive, or the
// queue's redrive, untried. The retries count with its receives (attempts),
// so it is dead-lettered after as many tries in all. It reports false, and
// d is settled as usual, on a standard queue, with nothing held behind d,
// without a known redrive limit (the subscriber could not bound the
// retries), or when the subscription stops during the wait.
func (sub *subscription) retryHere(d *delivery) bool {
	if d.group == "" || sub.ep.MaxReceiveCount < 1 || !sub.holdsBehind(d) {
		return false
	}
	t := time.NewTimer(sub.nackBackoff(d))
	defer t.Stop()
	select {
	case <-t.C:
	case <-sub.stop.Done():
		return false
	}
	msg, err := unmarshal(aws.ToString(d.raw.Body), fromSQSAttributes(d.raw.MessageAttributes), aws.ToString(d.raw.MessageId))
	if err != nil {
		return false
	}
	d.msg = msg
	d.retries++
	return true
}

// holdsBehind reports whether messages of d's FIFO group wait behind it.
func (sub *subscription) holdsBehind(d *delivery) bool {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return len(sub.groups[d.group]) > 0
}
