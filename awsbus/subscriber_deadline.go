package awsbus

import "time"

// watchDeadline closes sub.deadline ShutdownTimeout after stop ends, or
// once every handler returned if that is sooner, and ends sub.polls then.
func (sub *subscription) watchDeadline() {
	defer close(sub.deadline)
	defer sub.endPolls()
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
