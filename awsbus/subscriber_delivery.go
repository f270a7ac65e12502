package awsbus

import (
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// delivery is one received message owned by a subscription.
type delivery struct {
	raw       sqstypes.Message
	msg       *message.Message
	malformed string // why the message cannot be handed out, if it cannot
	group     string
	// received is when the ReceiveMessage call that returned the message
	// started, or, for an answer to a repeated ReceiveRequestAttemptId, the
	// first call that carried it: SQS counts its 12-hour visibility limit
	// from a moment after.
	received time.Time
	extended time.Time // last visibility renewal (guarded by subscription.mu)

	// settleMu guards settling and renewal; it is never held across a
	// call. settling is set once d's settling began (acked, backed off,
	// dead-lettered, released): no renewal of d starts after that. renewal
	// is closed when the last renewal call of d started ends: a settling
	// call waits for it, so a renewal under way never overwrites a backoff
	// or release, and a settle waits for no renewal but that one.
	settleMu sync.Mutex
	settling bool
	renewal  chan struct{}
}

// stopRenewal stops every later visibility renewal of d, without waiting,
// and returns the end of the last renewal started, nil if none was.
func (d *delivery) stopRenewal() <-chan struct{} {
	d.settleMu.Lock()
	defer d.settleMu.Unlock()
	d.settling = true
	return d.renewal
}

// markSettled stops every later visibility renewal of d and waits for the
// one under way, if any.
func (d *delivery) markSettled() {
	if end := d.stopRenewal(); end != nil {
		<-end
	}
}

// startRenewal reports whether d may be renewed (its settling did not
// begin), and if so records end, to be closed when the renewal call ends.
func (d *delivery) startRenewal(end chan struct{}) bool {
	d.settleMu.Lock()
	defer d.settleMu.Unlock()
	if d.settling {
		return false
	}
	d.renewal = end
	return true
}
