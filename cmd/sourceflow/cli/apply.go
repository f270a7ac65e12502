package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func newApplyCommand(g *globals) *cobra.Command {
	return fileCommand(&cobra.Command{
		Use:   "apply -f FILE",
		Short: "Create or change the resources of a topology file",
		Long: `apply creates what is missing and reconciles what the service consumes, as
the transport's Create mode does on start: it reads first and writes only the
differences, so a second run changes nothing. Queues the service only sends to
are created when missing and otherwise left to their consumer; queue policies
are merged, never overwritten. It prints what it did and the endpoints, then
validates: a difference left behind (printed "left", such as the KMS key
another service set on a shared topic) exits 1.`,
		Example: "  sourceflow apply -f orders.topology.yaml",
	}, g.runApply)
}

func (g *globals) runApply(cmd *cobra.Command, path string) error {
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, err := g.open(ctx, cmd, path)
	if err == nil {
		err = s.refuseKeyOfAnotherRegion()
	}
	var urls *queueURLs
	if err == nil {
		urls, err = s.lookUpQueuesOnce()
	}
	if err != nil {
		return err
	}
	before, _, err := s.prov.Validate(ctx, s.plan)
	if err != nil {
		return s.awsFailure("apply: read the current state", err)
	}
	eps, err := s.prov.Create(ctx, s.plan)
	if err != nil {
		return s.awsFailure("apply", err)
	}
	urls.forget() // the comparison after reads what SQS holds now
	after, afterEps, afterErr := s.prov.Validate(ctx, s.plan)
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "Applied service %s in %s:\n", s.plan.Service, s.where())
	printApplied(out, markLeft(changesOf(before), after))
	printEndpoints(out, eps)
	if afterErr != nil {
		return s.awsFailure("apply: validate the result", afterErr)
	}
	if !after.OK() {
		s.learnAccount(ctx, after.Drifts, afterEps)
		return &ExitError{Code: ExitDrift, Err: fmt.Errorf("after apply, AWS still differs from %s:\n%s\n"+
			"%s; run `sourceflow validate -f %s` again", displayPath(path), after, whyLeft(after, s), fileArg(path))}
	}
	return nil
}

// whyLeft explains the drift apply leaves behind: what Create does not
// change in a table, another service's values on a shared topic or table
// (kept), and resources of another service or changed meanwhile.
func whyLeft(r topology.DriftReport, s *session) string {
	var tables, ttl, key, unreadKey, kept, others bool
	for _, d := range r.Drifts {
		switch {
		case ttlElsewhere(d):
			ttl = true
		case d.Kept:
			kept = true
		case d.Resource == "table":
			tables = true
		case d.Resource == "key" && keyReadDenied(d.Problem):
			unreadKey = true
		case d.Resource == "key":
			key = true
		default:
			others = true
		}
	}
	var why []string
	if key {
		why = append(why, s.keyHint(r.Drifts))
	}
	if unreadKey {
		why = append(why, unreadKeyHint)
	}
	if tables {
		why = append(why, "apply cannot change a table's key schema or billing mode in place: recreate the table "+
			"(copying its items) or change the file, e.g. to name another table; a billing mode can be switched "+
			"with `aws dynamodb update-table --billing-mode PAY_PER_REQUEST`")
	}
	if ttl {
		why = append(why, "apply leaves a table's time to live as it is, as said above")
	}
	if kept {
		why = append(why, keptHint)
	}
	if others {
		why = append(why, "these resources are owned by another service or changed concurrently")
	}
	return strings.Join(why, "; ")
}

// printEndpoints lists each destination's queue URL or topic ARN.
func printEndpoints(w io.Writer, eps topology.Endpoints) {
	names := slices.Sorted(maps.Keys(eps))
	fmt.Fprintln(w, "Endpoints:")
	tw := newTable(w)
	for _, n := range names {
		ep := eps[n]
		if ep.TopicARN != "" {
			fmt.Fprintf(tw, "  %s\ttopic\t%s\n", n, ep.TopicARN)
		}
		if ep.QueueURL != "" {
			fmt.Fprintf(tw, "  %s\tqueue\t%s\n", n, ep.QueueURL)
		}
	}
	_ = tw.Flush()
}
