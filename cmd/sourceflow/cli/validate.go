package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

func newValidateCommand(g *globals) *cobra.Command {
	return fileCommand(&cobra.Command{
		Use:   "validate -f FILE",
		Short: "Report drift between AWS and a topology file; exit 1 on drift",
		Long: `validate compares the live account (or emulator) with the topology file, as
the transport's Validate mode does on start, and changes nothing. Each
difference is printed as "<resource> <name>: <problem>". It exits 0 when
nothing drifted and 1 on drift, so it can gate a deployment.`,
		Example: "  sourceflow validate -f orders.topology.yaml || sourceflow plan -f orders.topology.yaml",
	}, g.runValidate)
}

func (g *globals) runValidate(cmd *cobra.Command, path string) error {
	s, report, err := g.drift(cmd, path, "validate")
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if report.OK() {
		fmt.Fprintf(out, "No drift: service %s in %s matches %s (%s, %s, %s).\n",
			s.plan.Service, s.where(), s.source(), counted(len(s.plan.Queues), "queue", "queues"),
			counted(len(s.plan.Topics), "topic", "topics"), counted(len(s.plan.Subscriptions), "subscription", "subscriptions"))
		return nil
	}
	fmt.Fprintf(out, "Drift of service %s in %s from %s:\n%s\n", s.plan.Service, s.where(), s.source(), report)
	changes := changesOf(report)
	s.hintNothingFound(out, report)
	if uncheckedTopics(changes) {
		fmt.Fprintln(out, strings.Replace(uncheckedHint, "marked ? ", "", 1))
	}
	if n := keptForOthers(changes); n > 0 {
		fmt.Fprintf(out, "%d kept: %s.\n", n, keptHint)
	}
	if count(changes, actionFix) > 0 {
		fmt.Fprintln(out, s.fixHint(report.Drifts)+".")
	}
	if unreadKey(changes) {
		fmt.Fprintln(out, unreadKeyHint+".")
	}
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("%s from %s: %s",
		counted(len(report.Drifts), "difference", "differences"), displayPath(path), validateAdvice(path, changes))}
}

// fixOwners names what apply leaves to its owners among changes
// (actionFix), and who fixes it, with the verb: the KMS key, a queue or
// topic of another account, or both.
func fixOwners(changes []change) (what, owner string) {
	key := slices.ContainsFunc(changes, func(c change) bool { return c.action == actionFix && c.drift.Resource == "key" })
	foreign := slices.ContainsFunc(changes, func(c change) bool { return c.action == actionFix && c.drift.Resource != "key" })
	switch {
	case key && foreign:
		return "a KMS key nor a queue or topic of another account", "their owners fix"
	case key:
		return "a KMS key", "the key's owner fixes"
	}
	return "a queue or topic of another account", "its owner fixes"
}

// validateAdvice says what to run about the drift of changes: plan and
// apply fix what they change, and the owner of the KMS key, or of a queue
// or topic of another account, fixes its drift (actionFix), which apply
// never changes.
func validateAdvice(path string, changes []change) string {
	keys := count(changes, actionFix)
	others := len(changes) - keys
	if keys == 0 {
		return fmt.Sprintf("run `sourceflow plan -f %s` to see what apply would do and `sourceflow apply -f %s` to fix %s, "+
			"or fix the infrastructure code that owns %[3]s", fileArg(path), fileArg(path), agree(others, "it", "them"))
	}
	what, owner := fixOwners(changes)
	if others == 0 {
		return fmt.Sprintf("apply does not change %s; %s %s, as said above", what, owner, agree(keys, "it", "them"))
	}
	return fmt.Sprintf("run `sourceflow plan -f %s` to see what apply would do and `sourceflow apply -f %s` to fix %d of them, "+
		"or fix the infrastructure code that owns %s; apply does not change %s: %s %d, as said above",
		fileArg(path), fileArg(path), others, agree(others, "it", "them"), what, owner, keys)
}
