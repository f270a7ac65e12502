package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// dlqDepth is one row of dlq list.
type dlqDepth struct {
	pair              dlqPair
	visible, inFlight int64
	missing           bool
}

// dlqDepthJSON is one row of dlq list -o json.
type dlqDepthJSON struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	Visible  int64  `json:"visible"`
	InFlight int64  `json:"in_flight"`
	Missing  bool   `json:"missing"`
}

func newDLQListCommand(g *globals) *cobra.Command {
	var output string
	var checkTimeout time.Duration
	cmd := fileCommand(&cobra.Command{
		Use:   "list -f FILE",
		Short: "Show the depth of the dead-letter queues of the queues a service consumes",
		Long: `list prints, for the dead-letter queue of every queue the service consumes
(as health checks them), the queue it belongs to and its approximate depth: messages visible (waiting to be
redriven or inspected) and in flight (received by peek or redrive in the
last seconds, or by another tool). The queues the service only sends to
belong to other services, whose own dlq list shows them. It reads queue
attributes only, each call bounded by --check-timeout. With -o json it prints
{"service": ..., "queues": [{"name", "source", "visible", "in_flight",
"missing"}]}. It exits 0, or 1 when a dead-letter queue is missing: apply
creates it, but when none of the service's queues is found, check the region
and the account of the credentials first (the error says so), as apply would
create the topology there.`,
		Example: "  sourceflow dlq list -f orders.topology.yaml\n" +
			"  sourceflow dlq list -f orders.topology.yaml -o json",
	}, func(cmd *cobra.Command, path string) error { return g.runDLQList(cmd, path, output, checkTimeout) })
	addOutputFlag(cmd, &output)
	addCheckTimeoutFlag(cmd, &checkTimeout, "bound on each AWS call")
	return cmd
}

func (g *globals) runDLQList(cmd *cobra.Command, path, output string, checkTimeout time.Duration) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, api, err := g.openDLQ(ctx, cmd, path, checkTimeout)
	if err != nil {
		return err
	}
	var rows []dlqDepth
	missing := 0
	for _, p := range dlqPairs(s.plan) {
		if !p.owned {
			continue
		}
		q, err := resolveQueue(ctx, api, p.dlq)
		switch {
		case errors.Is(err, errQueueMissing):
			missing++
			rows = append(rows, dlqDepth{pair: p, missing: true})
		case err != nil:
			return s.boundedFailure(ctx, "dlq list", err, checkTimeout)
		default:
			rows = append(rows, dlqDepth{pair: p, visible: q.visible, inFlight: q.inFlight})
		}
	}
	printRows := printDLQDepths
	if output == outputJSON {
		printRows = printDLQDepthsJSON
	}
	if err := printRows(cmd.OutOrStdout(), s, rows); err != nil {
		return err
	}
	if missing > 0 {
		return s.missingQueues(ctx, errDLQsMissing(missing), checkTimeout)
	}
	return nil
}

func printDLQDepths(w io.Writer, s *session, rows []dlqDepth) error {
	lines := make([]string, len(rows))
	var total int64
	for i, r := range rows {
		vis, fl := strconv.FormatInt(r.visible, 10), strconv.FormatInt(r.inFlight, 10)
		if r.missing {
			vis, fl = "missing", "-"
		}
		total += r.visible + r.inFlight
		lines[i] = r.pair.dlq + "\t" + r.pair.source + "\t" + vis + "\t" + fl
	}
	if err := writeTable(w, "DEAD-LETTER QUEUE\tSOURCE QUEUE\tVISIBLE\tIN FLIGHT", lines); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "Service %s in %s: %s in %s.\n",
		s.plan.Service, s.where(), counted(total, "dead letter", "dead letters"),
		counted(len(rows), "dead-letter queue", "dead-letter queues"))
	return err
}

func printDLQDepthsJSON(w io.Writer, s *session, rows []dlqDepth) error {
	queues := make([]dlqDepthJSON, len(rows))
	for i, r := range rows {
		queues[i] = dlqDepthJSON{Name: r.pair.dlq, Source: r.pair.source, Visible: r.visible, InFlight: r.inFlight, Missing: r.missing}
	}
	return writeJSON(w, struct {
		Service string         `json:"service"`
		Queues  []dlqDepthJSON `json:"queues"`
	}{s.plan.Service, queues})
}
