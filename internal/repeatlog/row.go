package repeatlog

import "time"

// Row counts a row of failures in a row and says which to log: the first
// at once, then one once Interval has passed since the line before. It is
// not safe for concurrent use: its caller holds its own lock.
type Row struct {
	// Interval is the least time between two logged failures of a row.
	Interval time.Duration

	failures int       // failures in the row
	unlogged int       // failures since the last line
	first    time.Time // the row's first failure
	loggedAt time.Time // the last line
}

// Failure is what the line of a logged failure tells.
type Failure struct {
	// First is true for the row's first failure.
	First bool
	// Failures is the number of failures since the line before, this one
	// included.
	Failures int
	// FailingFor is the time since the row's first failure.
	FailingFor time.Duration
}

// Fail counts a failure at now and reports whether it is to be logged, and
// what its line tells.
func (r *Row) Fail(now time.Time) (Failure, bool) {
	r.failures++
	r.unlogged++
	if r.failures == 1 {
		r.first = now
	} else if now.Sub(r.loggedAt) < r.Interval {
		return Failure{}, false
	}
	f := Failure{First: r.failures == 1, Failures: r.unlogged, FailingFor: now.Sub(r.first)}
	r.loggedAt, r.unlogged = now, 0
	return f, true
}

// End ends the row at now. It reports the number of failures the row had
// and how long it lasted, and ok false when there was no row: no failure
// since the last End.
func (r *Row) End(now time.Time) (failures int, lasted time.Duration, ok bool) {
	failures, lasted = r.failures, now.Sub(r.first)
	r.failures, r.unlogged = 0, 0
	return failures, lasted, failures > 0
}
