package awsbus

import "time"

// watchDeadline closes sub.deadline ShutdownTimeout after stop ends, or
// once every handler returned if that is sooner, and ends sub.polls then.
func (sub *subscription) watchDeadline() {
	// Deferred calls run last first: the deadline closes before the polls
	// end, so a poll cut by their end always finds the deadline passed.
	defer sub.endPolls()
	defer close(sub.deadline)
	select {
	case <-sub.stop.Done():
	case <-sub.done:
		return
	}
	t := time.NewTimer(sub.cfg.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sub.done:
	}
}

// pastDeadline reports whether the shutdown deadline passed (or every
// handler returned): no renewal starts then.
func (sub *subscription) pastDeadline() bool {
	select {
	case <-sub.deadline:
		return true
	default:
		return false
	}
}
