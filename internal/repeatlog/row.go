package repeatlog

import (
	"slices"
	"time"
)

// DefaultChangeInterval is a Row's ChangeInterval when it sets none.
const DefaultChangeInterval = 10 * time.Second

// remembered is how many of the reasons its lines gave a Row keeps: a
// reason among them is no news, so reasons that alternate are logged once
// each, then with the row's other lines.
const remembered = 8

// Row counts a row of failures in a row and says which to log: the first
// at once, then one once Interval has passed since the line before, and
// (FailWith) one whose reason no recent line gave at once, at most one such
// per ChangeInterval. It is not safe for concurrent use: its caller holds
// its own lock.
type Row struct {
	// Interval is the least time between two logged failures of a row
	// whose reason stays the same.
	Interval time.Duration
	// ChangeInterval is the least time between two failures logged before
	// Interval passed because their reason was new to the row: reasons
	// that change at every failure (a text naming a port, a time) are
	// logged no more often. Zero is DefaultChangeInterval.
	ChangeInterval time.Duration

	failures  int       // failures in the row
	unlogged  int       // failures since the last line
	first     time.Time // the row's first failure
	loggedAt  time.Time // the last line
	changedAt time.Time // the last line logged for its new reason
	reasons   []string  // the reasons of the last lines, the latest last
}

// Failure is what the line of a logged failure tells.
type Failure struct {
	// First is true for the row's first failure.
	First bool
	// NewReason is true for a failure logged before Interval passed
	// because no recent line of the row gave its reason.
	NewReason bool
	// Failures is the number of failures since the line before, this one
	// included.
	Failures int
	// FailingFor is the time since the row's first failure.
	FailingFor time.Duration
}

// Fail counts a failure at now and reports whether it is to be logged, and
// what its line tells. It is FailWith with no reason: the row's failures
// are taken as one.
func (r *Row) Fail(now time.Time) (Failure, bool) { return r.FailWith(now, "") }

// FailWith counts a failure at now for reason (an error's text) and
// reports whether it is to be logged, and what its line tells.
func (r *Row) FailWith(now time.Time, reason string) (Failure, bool) {
	r.failures++
	r.unlogged++
	f := Failure{First: r.failures == 1}
	switch {
	case f.First:
		r.first = now
	case now.Sub(r.loggedAt) >= r.Interval:
	case r.isNews(now, reason):
		f.NewReason, r.changedAt = true, now
	default:
		return Failure{}, false
	}
	f.Failures, f.FailingFor = r.unlogged, now.Sub(r.first)
	r.loggedAt, r.unlogged = now, 0
	r.remember(reason)
	return f, true
}

// isNews reports whether reason, given at now, is to be logged before the
// row's interval passed: no recent line gave it, and no line was logged
// for its new reason within the change interval.
func (r *Row) isNews(now time.Time, reason string) bool {
	if slices.Contains(r.reasons, reason) {
		return false
	}
	every := r.ChangeInterval
	if every <= 0 {
		every = DefaultChangeInterval
	}
	return r.changedAt.IsZero() || now.Sub(r.changedAt) >= every
}

// remember keeps reason as the latest a line gave, and the last few before it.
func (r *Row) remember(reason string) {
	r.reasons = slices.DeleteFunc(r.reasons, func(s string) bool { return s == reason })
	if len(r.reasons) == remembered {
		r.reasons = slices.Delete(r.reasons, 0, 1)
	}
	r.reasons = append(r.reasons, reason)
}

// End ends the row at now. It reports the number of failures the row had
// and how long it lasted, and ok false when there was no row: no failure
// since the last End.
func (r *Row) End(now time.Time) (failures int, lasted time.Duration, ok bool) {
	failures, lasted = r.failures, now.Sub(r.first)
	r.failures, r.unlogged = 0, 0
	r.changedAt, r.reasons = time.Time{}, r.reasons[:0]
	return failures, lasted, failures > 0
}
