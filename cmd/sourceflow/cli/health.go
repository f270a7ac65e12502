package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// healthReport is the health of a topology's resources, as printed with
// --output json.
type healthReport struct {
	// Service is the service of the topology file.
	Service string `json:"service"`
	// Status is down when any check or drift is down, else degraded when
	// a drift is, else skipped when any check did not run or the KMS key
	// was not checked (the health of its resource is unknown), up
	// otherwise.
	Status topology.HealthStatus `json:"status"`
	// Checks has one entry per queue, dead-letter queue and topic.
	Checks []topology.HealthCheck `json:"checks"`
	// Drift has the drifts of the topology that stop messages (down) or
	// hold some back (degraded), and the KMS key when it was not checked
	// (skipped); see driftStatus. It is an empty array,
	// never null, when there is none.
	Drift []healthDrift `json:"drift"`
}

type healthFlags struct {
	path, output string
	checkTimeout time.Duration
}

// healthLong is health's help text.
const healthLong = `health probes each resource of the topology file with a read call: every
queue, the dead-letter queue of every queue the service consumes, and every
topic. It prints a table (or JSON with --output json) and exits 0 when every
check is up, 1 when any is down (missing, unreachable, access denied) or
a drift stops or holds back messages (see below), 2 when none is down but
some did not run (see below), and 3 when no check is up because no call
reached AWS (the endpoint, the credentials or the region are at fault, not
the resources). An endpoint that cannot be reached at all (connection
refused, unknown host, a refused certificate) is said once, in
the error, with what to check, and each check reads "endpoint not
reachable". When some checks answered, the error names the checks whose
call failed (refused, timed out, access denied), one line for each way
they failed (up to ten names, then how many more), why, and the endpoint
of the client that made the call: their resources' health is unknown, so
validate and apply are advised only for the resources AWS said do not
exist. A call cut short is said to be cut by --check-timeout or by
--timeout, whichever ended it. A check whose probe panicked (a bug in a
client, or an answer it could not read) could not be made either, and
says so with the panic's value. In the table, a failed call's row says
its cause (what AWS answered, else the innermost error, without request
ids or local addresses); --output json has each check's whole error. An
endpoint is named with where it came from (AWS_ENDPOINT_URL_SQS and the
like, AWS_ENDPOINT_URL, the endpoint_url of the profile in the shared
config file, or the program that gave the clients), or as the region's AWS
endpoint when none was set or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
profile's ignore_configured_endpoint_urls) ignores the configured ones.
A topic is checked on its ARN, built from the account when the topology
cannot be read in full: that of a queue, else --account-id, else
sts:GetCallerIdentity, whose failure makes the check down. With no means
to know the account (no queue ARN, no --account-id, no STS client) its
check is skipped, and says why; the report is then skipped, not up, as
the health of the topic is unknown. A resource probe is up, down or
skipped; a missing resource's row says "missing".

health also reports, below the table, the drift that validate finds and
that stops messages or holds some back, and exits 1 on it. Down, no
message moves: any drift of the KMS key (disabled, pending deletion, not
found, a key SQS and SNS cannot use, a key ARN of another region, a
policy that leaves SNS out; its owner fixes it, apply never changes a key), a queue policy that keeps a
topic from sending, a missing subscription, one without RawMessageDelivery
(each message arrives wrapped in SNS's envelope, and is dead-lettered), one
whose FilterPolicy was narrowed (SNS drops the events of the types it leaves
out without a trace: they are lost), one whose FilterPolicyScope is
MessageBody (the filter looks for the type in the message body, where it is
not, so SNS drops every message).
Degraded, messages move but some are held back or changed: a queue whose
RedrivePolicy differs or is gone (a message that keeps failing is never
set aside, and holds back its FIFO message group), a subscription whose
other attributes differ; apply fixes those. A KMS key health could not
check (kms:DescribeKey or kms:GetKeyPolicy denied, which the error names,
or a key of another account, whose policy only that account reads) is
listed as skipped, its health unknown, and exits 2 when nothing is down or
degraded; --skip-key-check leaves the key out. So with a key of another
account, a supported setup, every health run exits 2 (status skipped)
unless --skip-key-check is given: pass it where the key's owner watches
the key. With --output json such a key is an entry of drift whose status
is skipped (the fields of every entry are the same). The report is down when a
check or a drift is down, else degraded when a drift is, else skipped when
a check did not run or the key was not checked. Other drift (a
queue's visibility timeout, tags) is left to validate. A read cut by a
KMS, DynamoDB or STS endpoint that did not answer (no check calls them)
reports the drift found before the cut and exits 3, naming the service:
the drift after it is unknown, and the report is skipped when it would be
up.`

func newHealthCommand(g *globals) *cobra.Command {
	var f healthFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "health -f FILE",
		Short: "Check every queue, dead-letter queue and topic of a topology file",
		Long:  healthLong,
		Example: "  sourceflow health -f orders.topology.yaml\n" +
			"  sourceflow health -f orders.topology.yaml --output json | jq .status",
	}, &f, g.runHealth)
	addFileFlag(cmd, &f.path)
	addOutputFlag(cmd, &f.output)
	addCheckTimeoutFlag(cmd, &f.checkTimeout, "bound on each check, and on each call of the topology read before them (the first call unanswered ends the read, and the checks of its service fail with it)")
	return cmd
}

func (g *globals) runHealth(cmd *cobra.Command, f healthFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	if err := checkTimeoutErr(f.checkTimeout); err != nil {
		return err
	}
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, err := g.open(ctx, cmd, f.path)
	if err != nil {
		return err
	}
	read, readErr := readForHealth(ctx, s, f)
	probes := s.prov.ResourceProbes(s.plan, read.eps)
	skipUnanswered(probes, read.unanswered)
	failed := failedCalls(ctx, probes)
	rep := healthReport{Service: s.plan.Service, Checks: topology.RunProbes(ctx, f.checkTimeout, probes),
		Drift: healthDrifts(read.report)}
	n := countChecks(rep.Checks)
	cut := unprobedCut(read)
	rep.Status = unprobedStatus(driftReportStatus(n.status(), rep.Drift), cut)
	// A probe that panicked made a check that could not be made, not a
	// call that did not reach AWS.
	noneReached := n.down > 0 && n.up == 0 && countErrors(failed) == n.down && !anyPanicked(failed)
	cause := unreached(noneReached, rep.Checks, failed)
	if err := printHealth(cmd.OutOrStdout(), f.output, rep, failed); err != nil {
		return err
	}
	switch {
	case cause != nil:
		return s.unreachable(cause, cmp.Or(failed...))
	case noneReached:
		return noAnswer(ctx, s, f, cmp.Or(readErr, cmp.Or(failed...)))
	}
	return s.healthError(ctx, f, rep, failed, cut)
}

// healthError is the error of a health run some of whose calls reached
// AWS, with rep, the report, failed, its checks' failed calls (by index),
// and cut, the unprobed call that cut the read (unprobedCut): nil when
// every check is up and nothing drifted.
func (s *session) healthError(ctx context.Context, f healthFlags, rep healthReport, failed []error, cut *readUnanswered) error {
	n := countChecks(rep.Checks)
	switch {
	case cut != nil && n.down == 0:
		return s.unprobedError(cut, s.driftAdvice(rep.Drift))
	case n.down > 0:
		return withDriftAdvice(s.downError(ctx, f, rep.Checks, failed, n), s.driftAdvice(rep.Drift))
	case rep.Status == topology.HealthDown || rep.Status == topology.HealthDegraded:
		return &ExitError{Code: ExitDrift, Err: fmt.Errorf("service %s is %s: %s",
			s.plan.Service, rep.Status, s.driftAdvice(rep.Drift))}
	case rep.Status == topology.HealthSkipped:
		return skippedError(n, len(rep.Checks), rep.Drift)
	}
	return nil
}

// readForHealth reads the topology for the probes: Validate finds the
// drift health reports (healthDrifts) and resolves the URLs and ARNs of
// what exists; a failure leaves them empty and each probe
// then finds its resource by name (a queue) or builds its ARN from the
// account (a topic), or is skipped. Each call of the read is bounded by
// --check-timeout, and the first one unanswered that long ends the read
// (watchedClients): an endpoint that never answers costs it one --check-timeout,
// and the probes of its service then fail at once with that call's error
// (skipUnanswered). A read cut so returns no error, the drift found before
// the cut and the call that went unanswered (see unprobedCut); one cut by
// its own bound (see readBound) returns no error and no drift: the probes'
// errors say more.
func readForHealth(ctx context.Context, s *session, f healthFlags) (healthRead, error) {
	bounded, cancel := context.WithTimeout(ctx, readBound(ctx, s, f.checkTimeout))
	defer cancel()
	vctx, cut := context.WithCancelCause(bounded)
	defer cut(nil)
	prov, err := newProvisioner(watchedClients(s.clients, f.checkTimeout, cut))
	if err != nil {
		return healthRead{}, err
	}
	report, eps, err := prov.Validate(vctx, s.plan)
	if u, ok := errors.AsType[*readUnanswered](context.Cause(vctx)); ok && ctx.Err() == nil {
		return healthRead{report: report, eps: eps, unanswered: u}, nil
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return healthRead{eps: eps}, nil
	}
	return healthRead{report: report, eps: eps}, err
}

// healthRead is what health's topology read found: the drift, the URLs
// and ARNs of what exists, and the call that went unanswered when one cut
// the read (see watchedClients).
type healthRead struct {
	report     topology.DriftReport
	eps        topology.Endpoints
	unanswered *readUnanswered
}

// checkCounts counts the checks of a health report by status.
type checkCounts struct{ up, down, skipped int }

// countChecks returns the counts of checks.
func countChecks(checks []topology.HealthCheck) checkCounts {
	var n checkCounts
	for _, c := range checks {
		switch c.Status {
		case topology.HealthUp:
			n.up++
		case topology.HealthDown:
			n.down++
		case topology.HealthSkipped:
			n.skipped++
		}
	}
	return n
}

// status is the status of a report with these checks: down when any is
// down, else skipped when any did not run, up otherwise.
func (n checkCounts) status() topology.HealthStatus {
	switch {
	case n.down > 0:
		return topology.HealthDown
	case n.skipped > 0:
		return topology.HealthSkipped
	}
	return topology.HealthUp
}

// readBound is how long health's topology read may take: it reads one
// resource after another, so a check's time per resource, within what
// --timeout leaves once the probes have had theirs and probeStart, so an
// endpoint that does not answer leaves the probes their time, each ended
// by its own bound, not by --timeout at the same moment. When --timeout
// leaves less than 1.5 times --check-timeout and probeStart, the read
// takes up to half of what is left and the probes share the rest.
func readBound(ctx context.Context, s *session, checkTimeout time.Duration) time.Duration {
	bound := checkTimeout * time.Duration(max(1, len(s.prov.ResourceProbes(s.plan, nil))))
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		bound = min(bound, max(left-checkTimeout-probeStart, min(checkTimeout, left)/2))
	}
	return bound
}

// probeStart is the time readBound leaves the probes beyond their
// --check-timeout: that from the read's end to the start of the first
// probes. Without it, a check that started once a read cut short had
// ended would have the same deadline as the run, and its call, given all
// of --check-timeout, would be said cut by --timeout (see cutShort).
const probeStart = 100 * time.Millisecond

// noAnswer is the error of a health run in which no call reached AWS (every
// check down with a failed call): the endpoint, the credentials or the
// region are at fault, not the resources. Validate reports a topic whose
// account STS failed to give as not checked, without failing, so a probe's
// failed call stands for it. A call cut short by --check-timeout is
// advised with the service that was slow, and its client's region and
// endpoint (callTarget): the SNS client's for an SNS call, and so on.
func noAnswer(ctx context.Context, s *session, f healthFlags, err error) error {
	return s.boundedFailure(ctx, "health", err, f.checkTimeout)
}

// countErrors counts the non-nil errors of errs.
func countErrors(errs []error) int {
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	return n
}

// printHealth prints rep as a table, or as JSON with --output json. A row
// of a check whose call failed (failed, by index; see failedCalls) says
// the call's cause (shortCause), that of a missing resource "missing";
// JSON has each check's whole error.
func printHealth(w io.Writer, output string, rep healthReport, failed []error) error {
	if output == outputJSON {
		return writeJSON(w, rep)
	}
	lines := make([]string, len(rep.Checks))
	for i, c := range rep.Checks {
		why := c.Error
		switch {
		case failed[i] != nil && why != unreachableCheck:
			why = shortCause(failed[i])
		case failed[i] == nil && c.Status == topology.HealthDown:
			why = missingCheck
		}
		lines[i] = fmt.Sprintf("%s\t%s\t%s\t%s\t%s", c.Name, c.Kind, c.Status, c.Latency.Round(time.Millisecond), oneLine(why))
	}
	if err := writeTable(w, "NAME\tKIND\tSTATUS\tLATENCY\tERROR", lines); err != nil {
		return err
	}
	if err := printDrifts(w, rep.Drift); err != nil {
		return err
	}
	notRun := ""
	if n := countChecks(rep.Checks).skipped; n > 0 {
		notRun = fmt.Sprintf(", %d not run", n)
	}
	notRun += driftCounts(rep.Drift)
	_, err := fmt.Fprintf(w, "Service %s: %s (%s%s)\n", rep.Service, rep.Status, counted(len(rep.Checks), "check", "checks"), notRun)
	return err
}

// missingCheck is the table's error of a check whose resource AWS said
// does not exist: every other down check has a failed call (failedCalls).
// The error after the table says what to run.
const missingCheck = "missing"

// oneLine returns an error text for one table cell: its lines joined with
// "; " (the SDK puts what its retryer adds on a line of its own) and every
// other character a terminal or the table would act on escaped, since the
// text may come from the endpoint.
func oneLine(s string) string {
	return printable(strings.ReplaceAll(s, "\n", "; "))
}
