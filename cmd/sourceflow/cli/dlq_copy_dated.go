package cli

import (
	"strconv"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// arrival dates, against a copy run, a received message that carries what
// identifies a message the run sent (its message id, or its body and
// attributes) but not the SQS id that send got. It is either a second copy
// that the dead-letter queue held before the run (at-least-once delivery
// dead-letters a message twice), a dead letter to move, or an awsbus
// consumer's new dead letter of a message the run sent, which came back;
// ids cannot tell them apart. SQS's own timestamps can, compared with each
// other and never with the machine's clock:
//
//   - the SentTimestamp and ApproximateFirstReceiveTimestamp of a message
//     received before the run's first send are at most the time of that
//     receive; a message SQS stamped as sent before the largest of them was
//     sent before the run sent anything, so it is not one the run sent (on
//     a standard queue, a copy its redrive policy moves during the run keeps
//     its first send's stamp: it is moved, and if it comes back again the
//     SQS id the run's send gave it tells it);
//   - when that largest stamp is the first receive of a message
//     (ApproximateReceiveCount 1), it is the time of a receive of the run
//     (sharp): a message stamped as sent at or after it reached the
//     dead-letter queue after the run began, so it came back, or failed
//     anew during the run, which the run counts alike.
//
// Otherwise (every message received before the first send had been
// received before the run, by a peek say, or SQS gave no timestamps) the
// message is undated.
type arrival struct {
	// before is the largest timestamp, in Unix milliseconds, of the
	// messages received before the run's first send; 0 while none is known.
	before int64
	// sharp is true when before is the time of a receive of the run.
	sharp bool
	// closed is true once the run sent: before no longer changes.
	closed bool
}

// Dates of arrival.date.
const (
	arrivedUndated = iota
	arrivedBefore
	arrivedAfter
)

// observe records the timestamps of msgs, received before the run's first
// send; once the run sent, it does nothing.
func (a *arrival) observe(msgs []sqstypes.Message) {
	if a.closed {
		return
	}
	for _, m := range msgs {
		sent, _ := systemMillis(m, sqstypes.MessageSystemAttributeNameSentTimestamp)
		first, _ := systemMillis(m, sqstypes.MessageSystemAttributeNameApproximateFirstReceiveTimestamp)
		t := max(sent, first)
		firstReceive := t > 0 && t == first &&
			m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)] == "1"
		switch {
		case t > a.before:
			a.before, a.sharp = t, firstReceive
		case t == a.before && firstReceive:
			a.sharp = true
		}
	}
}

// close records that the run sends: the timestamps received from now on
// are not before its first send.
func (a *arrival) close() { a.closed = true }

// date says whether m, received after the run's first send, reached the
// dead-letter queue before that send (arrivedBefore), after the run began
// (arrivedAfter), or cannot be told (arrivedUndated).
func (a *arrival) date(m sqstypes.Message) int {
	sent, ok := systemMillis(m, sqstypes.MessageSystemAttributeNameSentTimestamp)
	switch {
	case !ok || a.before == 0:
		return arrivedUndated
	case sent < a.before:
		return arrivedBefore
	case a.sharp:
		return arrivedAfter
	}
	return arrivedUndated
}

// systemMillis returns the system attribute name of m, a time in Unix
// milliseconds, and whether m has it.
func systemMillis(m sqstypes.Message, name sqstypes.MessageSystemAttributeName) (int64, bool) {
	ms, err := strconv.ParseInt(m.Attributes[string(name)], 10, 64)
	return ms, err == nil && ms > 0
}
