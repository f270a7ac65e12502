package cli

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Actions of a change.
const (
	actionCreate  = "create"
	actionChange  = "change"
	actionUnknown = "unknown"
	actionFix     = "fix"  // left to the owner of the resource: the KMS key, a queue or topic of another account
	actionKeep    = "keep" // another service's value on a shared resource (Drift.Kept)
)

// change is one drift of a Validate report read as what apply does about
// it: create a missing resource, or change one that differs.
type change struct {
	action string
	drift  topology.Drift
	detail string // the problem without "missing"
	left   bool   // apply ran and the drift is still there (see markLeft)
}

// changesOf reads a drift report: a "not checked" problem is unknown, any
// other drift of the KMS key, or of a queue or topic named by ARN (of
// another account or region), is a fix apply leaves to its owner, a
// kept drift is another service's value apply keeps, a "missing" problem
// is a create, anything else a change.
func changesOf(r topology.DriftReport) []change {
	out := make([]change, 0, len(r.Drifts))
	for _, d := range r.Drifts {
		c := change{action: actionChange, drift: d, detail: d.Problem}
		switch {
		case strings.HasPrefix(d.Problem, "not checked"):
			c.action = actionUnknown
		case d.Resource == "key" || foreignDrift(d):
			c.action = actionFix
		case d.Kept:
			c.action = actionKeep
		case strings.HasPrefix(d.Problem, "missing"):
			c.action, c.detail = actionCreate, createDetail(d.Problem)
		}
		out = append(out, c)
	}
	return out
}

// foreignHint says who fixes the drift of a queue or topic of another
// account or region.
const foreignHint = "apply never creates nor changes a queue or topic named by ARN: its owner's account creates it " +
	"and grants this account access, as said above"

// fixHint says who fixes the drifts apply leaves to the owner of a
// resource: the KMS key's (keyHint), a foreign queue's or topic's
// (foreignHint).
func (s *session) fixHint(drifts []topology.Drift) string {
	var hints []string
	if keyDrift(drifts, func(string) bool { return true }) {
		hints = append(hints, s.keyHint(drifts))
	}
	if slices.ContainsFunc(drifts, foreignDrift) {
		hints = append(hints, foreignHint)
	}
	return strings.Join(hints, "; ")
}

// foreignDrift reports whether d is of a queue or topic named by ARN,
// which apply never creates nor changes: its owner does.
func foreignDrift(d topology.Drift) bool {
	return (d.Resource == "queue" || d.Resource == "topic") && topology.IsARN(d.Name)
}

// createDetail keeps what a "missing" problem says about the resource
// ("(dead-letter queue of orders.fifo)"), not why it cannot be checked.
func createDetail(problem string) string {
	detail := strings.TrimSpace(strings.TrimPrefix(problem, "missing"))
	if strings.HasPrefix(detail, "(dead-letter queue of ") {
		return detail
	}
	return ""
}

// planLine formats c as a plan line: "+ create queue orders.fifo",
// "~ change queue orders.fifo: VisibilityTimeout is 60, want 30".
func (c change) planLine() string {
	mark := map[string]string{actionCreate: "+", actionChange: "~", actionUnknown: "?", actionFix: "!", actionKeep: "="}[c.action]
	return c.line(mark + " " + c.action)
}

// doneLine formats c as done by apply: "created queue orders.fifo".
func (c change) doneLine() string {
	switch {
	case c.left || c.action == actionFix || c.action == actionKeep || c.drift.Resource == "key":
		return c.line("left")
	case c.action == actionUnknown:
		return fmt.Sprintf("ensured %s %s", c.drift.Resource, c.drift.Name)
	}
	return c.line(map[string]string{actionCreate: "created", actionChange: "changed"}[c.action])
}

func (c change) line(verb string) string {
	s := fmt.Sprintf("%s %s %s", verb, c.drift.Resource, c.drift.Name)
	switch {
	case c.detail == "":
		return s
	case c.action == actionCreate:
		return s + " " + c.detail
	}
	return s + ": " + c.detail
}

// keptHint says why apply keeps a kept drift, and what to do about it.
const keptHint = "apply does not overwrite a value another service set on a topic or table the services share " +
	"(each would write its own back in turn): make the services' topology files agree, or change it by hand"

// uncheckedHint is printed after changes that could not be checked.
const uncheckedHint = "Topics marked ? could not be checked: no queue exists yet to read the account from, and " +
	"sts:GetCallerIdentity failed; pass --account-id or set AWS_ACCOUNT_ID."

// keyHint says who fixes the drifts of the KMS key, and how: a key that
// is disabled or pending deletion is enabled, a policy that leaves SNS
// out gets the statement iam-policy --key-policy prints; any other drift
// says itself what to do. The iam-policy command carries the session's
// account when known (see learnAccount), else a placeholder that a shell
// does not read as a redirect. A topology read from standard input is gone
// once read: the command then names a FILE placeholder and says to pass
// the same topology.
func (s *session) keyHint(drifts []topology.Drift) string {
	var fixes []string
	if keyDrift(drifts, keyStateProblem) {
		fixes = append(fixes, "the key's owner enables it (`aws kms enable-key`; a key pending deletion first "+
			"needs `aws kms cancel-key-deletion`)")
	}
	if keyDrift(drifts, keyPolicyProblem) {
		account := cmp.Or(s.clients.AccountID, os.Getenv("AWS_ACCOUNT_ID"), "ACCOUNT_ID")
		file, same := fileArg(s.path), ""
		if s.path == "-" {
			same = " (FILE: the topology this command read from standard input; pass the same one)"
		}
		fixes = append(fixes, "the key's owner adds the statement "+
			"`sourceflow iam-policy -f "+file+" --account-id "+account+" --key-policy` prints"+same)
	}
	if keyDrift(drifts, keyRegionProblem) {
		fixes = append(fixes, "a key of another region cannot serve: name a key of "+s.clients.Region+" in the file, as said above")
	}
	if keyDrift(drifts, otherKeyProblem) || len(fixes) == 0 {
		fixes = append(fixes, "the key's owner fixes what is said above")
	}
	return "apply does not change a KMS key or its policy; " + strings.Join(fixes, "; ") + ", or the file names another key"
}

// keyStateProblem matches the drift of a key its owner can enable ("is
// Disabled: …", "is PendingDeletion: …"). A key in another state (its
// material still to import, its custom key store disconnected, still
// being created) is not enabled by enable-key: otherKeyProblem matches it.
func keyStateProblem(problem string) bool {
	return strings.HasPrefix(problem, "is Disabled:") || strings.HasPrefix(problem, "is PendingDeletion:")
}

// otherKeyProblem matches the drift of a key that neither keyStateProblem,
// keyPolicyProblem nor keyRegionProblem matches, nor a denied read
// (unreadKeyHint): its problem says what to do.
func otherKeyProblem(problem string) bool {
	return !keyStateProblem(problem) && !keyPolicyProblem(problem) && !keyReadDenied(problem) && !keyRegionProblem(problem)
}

// keyReadDenied matches the drift of a key the credentials were denied
// reading (see unreadKeyHint).
func keyReadDenied(problem string) bool { return strings.Contains(problem, " denied ") }

// keyPolicyProblem matches the drift of a key policy that leaves SNS out.
func keyPolicyProblem(problem string) bool { return strings.HasPrefix(problem, "policy does not let ") }

// keyDrift reports whether a drift of the key has a problem that match
// matches.
func keyDrift(drifts []topology.Drift, match func(problem string) bool) bool {
	for _, d := range drifts {
		if d.Resource == "key" && match(d.Problem) {
			return true
		}
	}
	return false
}

// unreadKey reports whether the credentials were denied reading the KMS
// key.
func unreadKey(cs []change) bool {
	for _, c := range cs {
		if c.action == actionUnknown && c.drift.Resource == "key" && keyReadDenied(c.drift.Problem) {
			return true
		}
	}
	return false
}

// uncheckedTopics reports whether a topic could not be checked.
func uncheckedTopics(cs []change) bool {
	for _, c := range cs {
		if c.action == actionUnknown && c.drift.Resource == "topic" {
			return true
		}
	}
	return false
}

// unreadKeyHint says what to do about a key the credentials could not read.
const unreadKeyHint = "the KMS key could not be read: give the credentials kms:DescribeKey and kms:GetKeyPolicy " +
	"on it, or pass --skip-key-check to leave the key out of the check"

// keptForOthers counts the kept changes that keptHint explains: another
// service's value on a shared resource. A table's time to live on another
// attribute, or being disabled, is kept too, and its problem says why
// itself.
func keptForOthers(cs []change) int {
	n := 0
	for _, c := range cs {
		if c.action == actionKeep && !ttlElsewhere(c.drift) {
			n++
		}
	}
	return n
}

// ttlElsewhere reports whether d is a table whose time to live apply
// leaves: on another attribute than the file's, or being disabled.
func ttlElsewhere(d topology.Drift) bool {
	return d.Resource == "table" && (strings.HasPrefix(d.Problem, "time to live is enabled on attribute ") ||
		strings.HasPrefix(d.Problem, "time to live is being disabled"))
}

// count returns how many changes have action.
func count(cs []change, action string) int {
	n := 0
	for _, c := range cs {
		if c.action == action {
			n++
		}
	}
	return n
}
