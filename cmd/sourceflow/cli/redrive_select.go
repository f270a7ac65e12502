package cli

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// redriveSelect is which dead letters a redrive moves: --type, --reason,
// --before and --after, as the three redrive commands take them.
type redriveSelect struct {
	typ, reason, before, after string
	only                       bool      // --type was given
	until, since               time.Time // --before and --after, once parsed; zero when not given
	// untilAgo and sinceAgo are --before and --after given as a duration,
	// which countFrom counts back from a clock.
	untilAgo, sinceAgo ago
	// timed is what describe calls the time --before and --after compare;
	// "dead-lettered" when empty.
	timed string
}

// addRedriveTypeFlag adds --type to the redrive command cmd.
func addRedriveTypeFlag(cmd *cobra.Command, s *redriveSelect) {
	cmd.Flags().StringVar(&s.typ, "type", "", "redrive only the dead letters of this message type (sf_type: orders.CreateOrder)")
}

// addRedriveSelectFlags adds --reason, --before and --after to the redrive
// command cmd; dead names the time they compare.
func addRedriveSelectFlags(cmd *cobra.Command, s *redriveSelect, dead string) {
	cmd.Flags().StringVar(&s.reason, "reason", "", "redrive only the dead letters whose reason (sf_failure) contains this text (case sensitive)")
	cmd.Flags().StringVar(&s.before, "before", "", "redrive only the dead letters dead-lettered before this time: RFC 3339, "+
		"or a duration meaning that long ago (2h); "+dead)
	cmd.Flags().StringVar(&s.after, "after", "", "redrive only the dead letters dead-lettered at or after this time: RFC 3339, "+
		"or a duration meaning that long ago (30m); "+dead)
}

// parse checks the flags of cmd that s holds and reads --before and
// --after: a usage error (exit 2) when one is empty or not a time, or when
// both are RFC 3339 times and --after is not before --before. A duration
// is left for countFrom to count back from a clock, which checks the order
// then: the order of a time and a duration depends on that clock.
func (s *redriveSelect) parse(cmd *cobra.Command) error {
	s.only = cmd.Flags().Changed("type")
	var err error
	switch {
	case s.only && s.typ == "":
		err = errors.New("--type is empty: name the message type (sf_type) to redrive, or leave --type out to redrive every message")
	case cmd.Flags().Changed("reason") && s.reason == "":
		err = errors.New("--reason is empty: give text the reasons (sf_failure) to redrive contain, or leave --reason out")
	}
	if err == nil {
		s.until, s.untilAgo, err = parseAgo("--before", s.before, cmd.Flags().Changed("before"))
	}
	if err == nil {
		s.since, s.sinceAgo, err = parseAgo("--after", s.after, cmd.Flags().Changed("after"))
	}
	if err == nil && !s.relative() {
		err = s.ordered()
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// parseAt parses the flags of cmd as parse does and counts a --before or
// an --after given as a duration back from now, the local clock: a usage
// error (exit 2) as well when --after is then not before --before.
func (s *redriveSelect) parseAt(cmd *cobra.Command, now time.Time) error {
	if err := s.parse(cmd); err != nil {
		return err
	}
	if err := s.countFrom(now); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// any reports whether s selects some dead letters only.
func (s redriveSelect) any() bool {
	return s.only || s.reason != "" || !s.until.IsZero() || !s.since.IsZero()
}

// matches reports whether s selects the dead letter of type typ (known
// says whether its type could be read), reason reason, dead-lettered at
// dead (the zero time when unknown: no time bound selects it).
func (s redriveSelect) matches(typ string, known bool, reason string, dead time.Time) bool {
	switch {
	case s.only && (!known || typ != s.typ):
		return false
	case s.reason != "" && !strings.Contains(reason, s.reason):
		return false
	case !s.until.IsZero() && (dead.IsZero() || !dead.Before(s.until)):
		return false
	case !s.since.IsZero() && (dead.IsZero() || dead.Before(s.since)):
		return false
	}
	return true
}

// describe is what a redrive's messages say of the selection: empty, or
// " of type T, whose reason contains "R", dead-lettered after A and
// before B".
func (s redriveSelect) describe() string {
	var parts []string
	if s.only {
		parts = append(parts, "of type "+printable(s.typ))
	}
	if s.reason != "" {
		parts = append(parts, fmt.Sprintf("whose reason contains %q", s.reason))
	}
	timed := cmp.Or(s.timed, "dead-lettered")
	switch {
	case !s.since.IsZero() && !s.until.IsZero():
		parts = append(parts, timed+" from "+stamp(s.since)+" to "+stamp(s.until))
	case !s.since.IsZero():
		parts = append(parts, timed+" from "+stamp(s.since))
	case !s.until.IsZero():
		parts = append(parts, timed+" before "+stamp(s.until))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, ", ")
}

// stamp is t as redrive's messages show it: RFC 3339, UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
