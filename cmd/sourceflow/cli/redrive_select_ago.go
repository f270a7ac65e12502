package cli

import (
	"fmt"
	"time"
)

// ago is a --before or an --after given as a duration: that long before
// a clock's now.
type ago struct {
	d   time.Duration
	set bool
}

// parseAgo reads the value v of flag: an RFC 3339 time, an instant
// whatever the clock; or a duration, returned as an ago (and no time) for
// countFrom to count back from a clock. Nothing when the flag was not
// given.
func parseAgo(flag, v string, given bool) (time.Time, ago, error) {
	if !given {
		return time.Time{}, ago{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, ago{}, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return time.Time{}, ago{}, fmt.Errorf("%s %q: want an RFC 3339 time (2026-12-07T02:10:00Z) or a duration meaning that long ago (2h, 90m)",
			flag, v)
	}
	return time.Time{}, ago{d: d, set: true}, nil
}

// relative reports whether --before or --after is a duration, which
// countFrom counts back from a clock.
func (s redriveSelect) relative() bool { return s.untilAgo.set || s.sinceAgo.set }

// countFrom sets --before and --after given as a duration to that long
// before now, and refuses an --after that is not before --before: no dead
// letter could match.
func (s *redriveSelect) countFrom(now time.Time) error {
	if s.untilAgo.set {
		s.until = now.Add(-s.untilAgo.d)
	}
	if s.sinceAgo.set {
		s.since = now.Add(-s.sinceAgo.d)
	}
	return s.ordered()
}

// ordered refuses an --after that is not before --before: no dead letter
// could match.
func (s redriveSelect) ordered() error {
	if !s.until.IsZero() && !s.since.IsZero() && !s.since.Before(s.until) {
		return fmt.Errorf("--after %s is not before --before %s: no dead letter can match", s.after, s.before)
	}
	return nil
}
