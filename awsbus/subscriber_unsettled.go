package awsbus

// Reasons of a message dead-lettered unsettled on its last allowed receive
// (see unsettledReason).
const (
	whyNotHandedOut = "not handed out before shutdown"
	whyNotSettled   = "not acked or nacked within the shutdown timeout"
	whyHeld         = "held behind an earlier message of its FIFO group, not handed out before shutdown"
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

// releaseHeld settles the held messages ds, which were never handed out,
// in their groups' order: each is released (see releaseAll) except one
// received for the last time the redrive policy allows, which is
// dead-lettered instead, and its slot freed. That holds only while nothing
// before it in its group stays on the queue: headStays says the message ds
// were held behind stays (it will be redelivered), and a held message that
// stays (released, or backed off after its copy failed) makes the rest of
// its group stay too. A copy of a later message would otherwise reach the
// dead-letter queue before the earlier one, which the redrive policy moves
// later, out of the group's order.
func (sub *subscription) releaseHeld(ds []*delivery, headStays bool) {
	stays := map[string]bool{}
	var rest []*delivery
	for _, d := range ds {
		if !headStays && !stays[d.group] {
			if reason := sub.unsettledReason(d, whyHeld); reason != "" {
				if !sub.deadLetter(d, reason) {
					stays[d.group] = true
				}
				sub.free(1)
				continue
			}
		}
		stays[d.group] = true
		rest = append(rest, d)
	}
	sub.releaseAll(rest)
}
