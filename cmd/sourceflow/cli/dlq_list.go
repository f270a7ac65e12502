package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// dlqDepthJSON is one row of dlq list -o json.
type dlqDepthJSON struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	Visible  int64  `json:"visible"`
	InFlight int64  `json:"in_flight"`
	Missing  bool   `json:"missing"`
	// SourceAhead, SourceInFlight and SourceMissing are the source
	// queue's: its messages visible and in flight, or that it is missing.
	SourceAhead    int64 `json:"source_ahead"`
	SourceInFlight int64 `json:"source_in_flight"`
	SourceMissing  bool  `json:"source_missing"`
}

func newDLQListCommand(g *globals) *cobra.Command {
	var output string
	var checkTimeout time.Duration
	cmd := fileCommand(&cobra.Command{
		Use:   "list -f FILE",
		Short: "Show the depth of the dead-letter queues of the queues a service consumes, and their backlog",
		Long: `list prints, for the dead-letter queue of every queue the service consumes
(as health checks them), the queue it belongs to and its approximate depth: messages visible (waiting to be
redriven or inspected) and in flight (received by peek or redrive in the
last seconds, or by another tool). Beside it, the backlog of the queue it
belongs to: SOURCE AHEAD, its messages visible, which the service has yet
to receive, and SOURCE IN FLIGHT, those received and not yet deleted
(being handled, or waiting out their visibility timeout after a failure).
The queues the service only sends to
belong to other services, whose own dlq list shows them. It reads queue
attributes only, each call bounded by --check-timeout. With -o json it prints
{"service": ..., "queues": [{"name", "source", "visible", "in_flight",
"missing", "source_ahead", "source_in_flight", "source_missing"}]}. It exits
0, or 1 when a dead-letter queue or a source queue is missing: apply
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
	var missing errListMissing
	for _, p := range dlqPairs(s.plan) {
		if !p.owned {
			continue
		}
		row, err := readDLQDepth(ctx, api, p)
		if err != nil {
			return s.boundedFailure(ctx, "dlq list", err, checkTimeout)
		}
		missing.count(row)
		rows = append(rows, row)
	}
	printRows := printDLQDepths
	if output == outputJSON {
		printRows = printDLQDepthsJSON
	}
	if err := printRows(cmd.OutOrStdout(), s, rows); err != nil {
		return err
	}
	if missing.dlqs+missing.sources > 0 {
		return s.missingQueues(ctx, missing, checkTimeout)
	}
	return nil
}

func printDLQDepths(w io.Writer, s *session, rows []dlqDepth) error {
	lines := make([]string, len(rows))
	var total, ahead, inFlight int64
	for i, r := range rows {
		total += r.dlq.visible + r.dlq.inFlight
		ahead, inFlight = ahead+r.source.visible, inFlight+r.source.inFlight
		lines[i] = r.pair.dlq + "\t" + r.pair.source + "\t" + depthCells(r.dlq) + "\t" + depthCells(r.source)
	}
	if err := writeTable(w, "DEAD-LETTER QUEUE\tSOURCE QUEUE\tVISIBLE\tIN FLIGHT\tSOURCE AHEAD\tSOURCE IN FLIGHT", lines); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "Service %s in %s: %s in %s; %s and %d in flight in their source queues.\n",
		s.plan.Service, s.where(), counted(total, "dead letter", "dead letters"),
		counted(len(rows), "dead-letter queue", "dead-letter queues"),
		counted(ahead, "message ahead", "messages ahead"), inFlight)
	return err
}

// depthCells is the two cells of a queue's depth: its visible and in
// flight messages, or "missing" and "-".
func depthCells(d queueDepth) string {
	if d.missing {
		return "missing\t-"
	}
	return strconv.FormatInt(d.visible, 10) + "\t" + strconv.FormatInt(d.inFlight, 10)
}

func printDLQDepthsJSON(w io.Writer, s *session, rows []dlqDepth) error {
	queues := make([]dlqDepthJSON, len(rows))
	for i, r := range rows {
		queues[i] = dlqDepthJSON{Name: r.pair.dlq, Source: r.pair.source, Visible: r.dlq.visible, InFlight: r.dlq.inFlight,
			Missing: r.dlq.missing, SourceAhead: r.source.visible, SourceInFlight: r.source.inFlight, SourceMissing: r.source.missing}
	}
	return writeJSON(w, struct {
		Service string         `json:"service"`
		Queues  []dlqDepthJSON `json:"queues"`
	}{s.plan.Service, queues})
}
