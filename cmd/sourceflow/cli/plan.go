package cli

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/spf13/cobra"
)

func newPlanCommand(g *globals) *cobra.Command {
	return fileCommand(&cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show what apply would create or change",
		Long: `plan compares the live account (or emulator) with the topology file and lists
what apply would do, one line per resource: "+ create" for a missing queue,
dead-letter queue, topic, subscription, policy statement or DynamoDB table,
"~ change" for one whose attributes differ, "= keep" for a value another
service set on a topic or table they share, which apply does not overwrite,
and "! fix" for what apply leaves to its owner: a KMS key that SNS cannot
use. It changes nothing and exits 0 whether or not there are changes (use
validate to fail on drift). A file whose KMS key is an ARN of another
region than the command's is refused before any call (exit 2), by
validate and apply too: SQS and SNS encrypt only under a key of their own
region (name a key, or a multi-Region replica, of this region).`,
		Example: "  sourceflow plan -f orders.topology.yaml\n" +
			"  AWS_ENDPOINT_URL=http://localhost:4566 sourceflow plan -f orders.topology.yaml",
	}, g.runPlan)
}

func (g *globals) runPlan(cmd *cobra.Command, path string) error {
	s, report, err := g.drift(cmd, path, "plan")
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if report.OK() {
		fmt.Fprintf(out, "No changes: service %s in %s matches %s.\n", s.plan.Service, s.where(), s.source())
		return nil
	}
	fmt.Fprintf(out, "Plan for service %s in %s:\n", s.plan.Service, s.where())
	changes := changesOf(report)
	for _, c := range changes {
		fmt.Fprintln(out, c.planLine())
	}
	creates, edits := count(changes, actionCreate), count(changes, actionChange)
	fmt.Fprintf(out, "Plan: %d to create, %d to change.", creates, edits)
	if creates+edits > 0 {
		fmt.Fprintf(out, " Run `sourceflow apply -f %s` to make them.", fileArg(path))
	}
	fmt.Fprintln(out)
	if uncheckedTopics(changes) {
		fmt.Fprintln(out, uncheckedHint)
	}
	if unreadKey(changes) {
		fmt.Fprintln(out, unreadKeyHint+".")
	}
	if n := keptForOthers(changes); n > 0 {
		fmt.Fprintf(out, "%d kept: %s.\n", n, keptHint)
	}
	if n := count(changes, actionFix); n > 0 {
		fmt.Fprintf(out, "%d to fix outside apply: %s.\n", n, s.fixHint(report.Drifts))
	}
	return nil
}

// drift opens the file's session and compares the live resources with its
// plan; op names the command in an AWS failure.
func (g *globals) drift(cmd *cobra.Command, path, op string) (*session, topology.DriftReport, error) {
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, err := g.open(ctx, cmd, path)
	if err == nil {
		err = s.refuseKeyOfAnotherRegion()
	}
	if err != nil {
		return nil, topology.DriftReport{}, err
	}
	report, eps, err := s.prov.Validate(ctx, s.plan)
	if err != nil {
		return nil, topology.DriftReport{}, s.awsFailure(op, err)
	}
	s.learnAccount(ctx, report.Drifts, eps)
	return s, report, nil
}
