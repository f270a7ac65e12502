package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// movingDrifts returns the drifts that stop or hold back messages (down or
// degraded), leaving out a key not checked (skipped).
func movingDrifts(drifts []healthDrift) []healthDrift {
	var out []healthDrift
	for _, d := range drifts {
		if d.Status != topology.HealthSkipped {
			out = append(out, d)
		}
	}
	return out
}

// unknownKeyText says, one a line, that the health of each KMS key health
// could not check (a skipped drift) is unknown, and what to do: give the
// credentials the permission of a denied call, or what its problem says;
// --skip-key-check leaves the key out. "" when every key was checked.
func unknownKeyText(drifts []healthDrift) string {
	var lines []string
	for _, d := range drifts {
		if d.Status != topology.HealthSkipped {
			continue
		}
		why := strings.TrimPrefix(d.Problem, "not checked: ")
		if call, ok := deniedKeyCall(d.Problem); ok {
			why = fmt.Sprintf("%s was denied; give the credentials %s on it", call, call)
		}
		lines = append(lines, fmt.Sprintf("the health of key %s is unknown: %s, "+
			"or pass --skip-key-check to leave the key out of the check", d.Name, why))
	}
	return strings.Join(lines, "\n")
}

// deniedKeyCall returns the KMS call ("kms:GetKeyPolicy") whose denial
// left a key not checked, as validate words it ("not checked:
// kms:GetKeyPolicy denied (…)").
func deniedKeyCall(problem string) (string, bool) {
	rest, checked := strings.CutPrefix(problem, "not checked: ")
	call, _, denied := strings.Cut(rest, " denied ")
	return call, checked && denied && strings.HasPrefix(call, "kms:") && !strings.Contains(call, " ")
}

// driftCounts is what the last line of health's table adds to the checks
// about drifts: ", 1 drift" for drifts that stop or hold back messages,
// ", key not checked" for a key not checked; "" for none.
func driftCounts(drifts []healthDrift) string {
	out := ""
	n := len(movingDrifts(drifts))
	if n > 0 {
		out = ", " + counted(n, "drift", "drifts")
	}
	if n < len(drifts) {
		out += ", key not checked"
	}
	return out
}

// skippedError is the error (exit 2) of a health run nothing in which is
// down or degraded but whose health is unknown in part: n.skipped checks
// were not run (no account known), or a key not checked (drifts).
func skippedError(n checkCounts, checks int, drifts []healthDrift) error {
	notRun := ""
	if n.skipped > 0 {
		notRun = fmt.Sprintf("%d of %s not run, as their errors say, so the health "+
			"of their resources is unknown: give the account of the topics with --account-id",
			n.skipped, counted(checks, "check", "checks"))
	}
	return &ExitError{Code: ExitUsage, Err: errors.New(nonEmptyLines(notRun, unknownKeyText(drifts)))}
}

// nonEmptyLines joins the texts that are not empty, one a line.
func nonEmptyLines(texts ...string) string {
	return strings.Join(slices.DeleteFunc(texts, func(t string) bool { return t == "" }), "\n")
}
