package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// healthDrift is a drift of the topology that health reports: one that
// stops messages (down) or holds some back (degraded), as driftStatus
// reads it.
type healthDrift struct {
	// Resource is the drift's resource: "key", "policy", "subscription"
	// or "queue".
	Resource string `json:"resource"`
	// Name names the resource.
	Name string `json:"name"`
	// Problem is what validate says of it.
	Problem string `json:"problem"`
	// Status is down or degraded, or skipped for a KMS key health could
	// not check (its health is unknown).
	Status topology.HealthStatus `json:"status"`
}

// driftStatus is what a drift does to the service's messages, with ok
// false for a drift health leaves to validate:
//   - down, no message moves: any drift of the KMS key (disabled, pending
//     deletion, not found, a key SQS and SNS cannot use, a policy that
//     leaves SNS out), a queue policy that keeps a topic from sending, a
//     missing subscription, one without RawMessageDelivery (each message
//     arrives wrapped in SNS's envelope, which awsbus dead-letters), one
//     whose FilterPolicy was narrowed or replaced (SNS drops the events of
//     the types it leaves out without a trace: they are lost, not held
//     back), one whose FilterPolicyScope is MessageBody (the filter looks
//     for the type in the message body, where awsbus does not write it,
//     so SNS drops every message);
//   - degraded, messages move but some are held back or changed: a
//     queue's RedrivePolicy that differs or is gone (a message that keeps
//     failing is never set aside, and holds back its FIFO message group),
//     a subscription whose other attributes differ;
//   - skipped, its health unknown: a KMS key not checked (a denied
//     kms:DescribeKey or kms:GetKeyPolicy, a key of another account),
//     which may stop every message as much as any other drift of the key.
//
// Another resource not checked (a topic: its own check says why), or
// missing (its own check is down), and any other drift of a queue, is left
// to validate.
func driftStatus(d topology.Drift) (topology.HealthStatus, bool) {
	if strings.HasPrefix(d.Problem, "not checked") {
		return topology.HealthSkipped, d.Resource == "key"
	}
	switch d.Resource {
	case "key", "policy":
		return topology.HealthDown, true
	case "subscription":
		if subscriptionStops(d.Problem) {
			return topology.HealthDown, true
		}
		return topology.HealthDegraded, !strings.HasPrefix(d.Problem, "missing")
	case "queue":
		return topology.HealthDegraded, strings.HasPrefix(d.Problem, "RedrivePolicy ")
	}
	return "", false
}

// subscriptionStops reports whether problem, a subscription's drift,
// stops its messages (see driftStatus).
func subscriptionStops(problem string) bool {
	return problem == "missing" || strings.HasPrefix(problem, "RawMessageDelivery ") ||
		strings.HasPrefix(problem, "FilterPolicy ") || strings.HasPrefix(problem, "FilterPolicyScope ")
}

// healthDrifts returns the drifts of report that health reports (see
// driftStatus), in the report's order: empty, not nil, when there is
// none, so that JSON has an array.
func healthDrifts(report topology.DriftReport) []healthDrift {
	out := []healthDrift{}
	for _, d := range report.Drifts {
		if status, ok := driftStatus(d); ok {
			out = append(out, healthDrift{Resource: d.Resource, Name: d.Name, Problem: d.Problem, Status: status})
		}
	}
	return out
}

// driftReportStatus is the status of a report whose checks have status
// checks, given its drifts: down when checks are down or a drift is,
// else degraded when a drift is, else skipped when a key was not checked
// and checks are up, else that of the checks.
func driftReportStatus(checks topology.HealthStatus, drifts []healthDrift) topology.HealthStatus {
	if checks == topology.HealthDown {
		return checks
	}
	status := checks
	for _, d := range drifts {
		switch {
		case d.Status == topology.HealthDown:
			return topology.HealthDown
		case d.Status == topology.HealthDegraded:
			status = topology.HealthDegraded
		case status == topology.HealthUp:
			status = topology.HealthSkipped
		}
	}
	return status
}

// printDrifts prints the drifts after health's table, one a line with its
// status.
func printDrifts(w io.Writer, drifts []healthDrift) error {
	if len(drifts) == 0 {
		return nil
	}
	lines := make([]string, len(drifts))
	for i, d := range drifts {
		lines[i] = fmt.Sprintf("%s\t%s\t%s\t%s", d.Resource, d.Name, d.Status, oneLine(d.Problem))
	}
	return writeTable(w, "DRIFT\tNAME\tSTATUS\tPROBLEM", lines)
}

// driftAdvice says what to run about drifts, naming them: the owner of
// the KMS key fixes its drifts (keyHint), apply the others; "" when there
// are none. A key not checked (skipped) is said on a line of its own
// (unknownKeyText).
func (s *session) driftAdvice(drifts []healthDrift) string {
	return nonEmptyLines(s.stopAdvice(movingDrifts(drifts)), unknownKeyText(drifts))
}

// stopAdvice is driftAdvice for drifts that stop or hold back messages.
func (s *session) stopAdvice(drifts []healthDrift) string {
	var keys []topology.Drift
	var others []string
	for _, d := range drifts {
		if d.Resource == "key" {
			keys = append(keys, topology.Drift{Resource: d.Resource, Name: d.Name, Problem: d.Problem})
			continue
		}
		others = append(others, d.Resource+" "+d.Name)
	}
	var parts []string
	if len(keys) > 0 {
		parts = append(parts, fmt.Sprintf("key %s: %s", keys[0].Name, s.keyHint(keys)))
	}
	if len(others) > 0 {
		parts = append(parts, fmt.Sprintf("%s: run `sourceflow plan -f %s` to see what apply would change and "+
			"`sourceflow apply -f %s` to fix %s", strings.Join(others, ", "), fileArg(s.path), fileArg(s.path),
			agree(len(others), "it", "them")))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s of the topology %s messages (see `sourceflow validate -f %s`): %s",
		counted(len(drifts), "drift", "drifts"), agree(len(drifts), "stops or holds back", "stop or hold back"),
		fileArg(s.path), strings.Join(parts, "; "))
}

// withDriftAdvice adds advice (driftAdvice) on a line of its own to err,
// an *ExitError, when there is some.
func withDriftAdvice(err error, advice string) error {
	exit, ok := errors.AsType[*ExitError](err)
	if advice == "" || !ok {
		return err
	}
	return &ExitError{Code: exit.Code, Err: fmt.Errorf("%w\n%s", exit.Err, advice)}
}
