package awsbus

// Reasons of a message dead-lettered unsettled on its last allowed receive
// (see unsettledReason).
const (
	whyNotHandedOut = "not handed out before shutdown"
	whyNotSettled   = "not acked or nacked within the shutdown timeout"
	whyHeld         = "held, not handed out, behind an earlier message of its FIFO group"
)

// releaseUnsettled makes the unsettled d visible again at once and reports
// false, or, when d was received for the last time the redrive policy
// allows, dead-letters it with why in its reason and reports whether it
// landed (see deadLetter).
func (sub *subscription) releaseUnsettled(d *delivery, why string) bool {
	if reason := sub.unsettledReason(d, why); reason != "" {
		return sub.deadLetter(d, reason)
	}
	sub.release(d)
	return false
}

// releaseHeld settles the held messages ds, which were never handed out:
// each is released (see releaseAll) except one received for the last time
// the redrive policy allows, which is dead-lettered instead, and its slot
// freed.
func (sub *subscription) releaseHeld(ds []*delivery) {
	var rest []*delivery
	for _, d := range ds {
		if reason := sub.unsettledReason(d, whyHeld); reason != "" {
			sub.deadLetter(d, reason)
			sub.free(1)
			continue
		}
		rest = append(rest, d)
	}
	sub.releaseAll(rest)
}
