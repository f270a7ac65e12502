//go:build integration

package integration

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The driver's stdout, as the harness reads it: "send failed order=N ...",
// "sending sent=N failed=F" about every second while sending, "sending
// done after ...", "progress completed=N of M" whenever the paid count
// changes, and the final "sent=..." line.

var (
	sendFailedLine  = regexp.MustCompile(`^send failed order=(\d+) `)
	sendingLine     = regexp.MustCompile(`^sending sent=(\d+) failed=(\d+)$`)
	sendingDoneLine = regexp.MustCompile(`^sending done after \S+: sent=(\d+) failed=(\d+)$`)
)

// failedOrders returns the orders whose send the driver reported failed,
// and when it read the last such line.
func failedOrders(t *testing.T, driver *scaleoutProc) (map[int64]bool, time.Time) {
	t.Helper()
	lines, at := driver.linesSince(0)
	failed, last := map[int64]bool{}, time.Time{}
	for i, l := range lines {
		if m := sendFailedLine.FindStringSubmatch(l); m != nil {
			n, err := strconv.ParseInt(m[1], 10, 64)
			require.NoError(t, err)
			failed[n], last = true, at[i]
		}
	}
	return failed, last
}

// sentAtLeast matches a "sending sent=N" line with N >= n.
func sentAtLeast(n int) func(string) bool {
	return func(l string) bool {
		m := sendingLine.FindStringSubmatch(l)
		if m == nil {
			return false
		}
		sent, err := strconv.Atoi(m[1])
		return err == nil && sent >= n
	}
}

// ackedAfter returns how many sends succeeded after t0 (from the "sending"
// lines around it) and how long sending went on after t0.
func ackedAfter(driver *scaleoutProc, t0 time.Time) (acked int, sending time.Duration) {
	lines, at := driver.linesSince(0)
	before, after := -1, -1
	for i, l := range lines {
		m := sendingLine.FindStringSubmatch(l)
		if done := sendingDoneLine.FindStringSubmatch(l); done != nil {
			m, sending = done, at[i].Sub(t0)
		}
		if m == nil {
			continue
		}
		sent, _ := strconv.Atoi(m[1])
		failed, _ := strconv.Atoi(m[2])
		if at[i].After(t0) {
			after = sent - failed
		} else {
			before = sent - failed
		}
	}
	return max(after-max(before, 0), 0), sending
}

// recoveryAfter is how long after end the driver first saw more orders
// paid than at end; ok is false when no progress followed end (every order
// was paid before it).
func recoveryAfter(driver *scaleoutProc, end time.Time) (d time.Duration, ok bool) {
	lines, at := driver.linesSince(0)
	base := -1
	for i, l := range lines {
		c, isProgress := progressOf(l)
		switch {
		case !isProgress:
		case !at[i].After(end):
			base = c
		case c > base:
			return at[i].Sub(end), true
		}
	}
	return 0, false
}

// finalLine returns the driver's final "sent=..." line, or "" when it has
// none.
func finalLine(driver *scaleoutProc) string {
	lines, _ := driver.linesSince(0)
	for _, l := range lines {
		if strings.HasPrefix(l, "sent=") {
			return l
		}
	}
	return ""
}
