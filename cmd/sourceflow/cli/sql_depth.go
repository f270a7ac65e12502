package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlDepth is one row of sql depth, as printed with --output json.
type sqlDepth struct {
	// Name is the destination or the outbox topic.
	Name string `json:"name"`
	// Kind is "destination" or "outbox".
	Kind string `json:"kind"`
	// Ahead is what the service's consumer group has yet to handle (a
	// destination) or the forwarders have yet to forward (an outbox).
	Ahead int64 `json:"ahead"`
	// DeadLetters is the number of dead letters.
	DeadLetters int64 `json:"dead_letters"`
	// OldestAheadSeconds is, for a destination with messages ahead, how
	// long ago the oldest of them was written, in seconds.
	OldestAheadSeconds *int64 `json:"oldest_ahead_seconds,omitempty"`
}

type sqlDepthFlags struct {
	sqlTargetFlags
	service string
	output  string
}

func newSQLDepthCommand(g *globals) *cobra.Command {
	var f sqlDepthFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "depth --service NAME --destination NAME [--destination NAME…] [--outbox TOPIC…]",
		Short: "Show the messages a service has yet to handle, an outbox's rows not yet forwarded, and their dead letters",
		Long: `depth prints, for each --destination, how many of its messages the consumer
group of --service (the service's name) has yet to handle, and, for each
--outbox, how many of its rows the forwarders have yet to forward (those
held behind a failing destination included); with the dead letters of each. A group that never subscribed has every kept message
ahead; a destination or an outbox that has no table yet has no depth.
OLDEST AHEAD (oldest_ahead_seconds with -o json) is, for a destination with
messages ahead, how long ago the oldest of them was written (its
created_at, by the database's clock): a consumer group that is stuck has it
grow while one that is only slow keeps it short. created_at holds the
instant it was written, read right whatever the session time zones of the
services and of this command; except on PostgreSQL in a table created by
a release before TIMESTAMPTZ, whose created_at holds no time zone: read in
this command's session time zone, it is off unless that is the services'
(9 hours east of theirs adds 9h, west of it takes 9h off, 0s at least).
depth warns on standard error of each such table of its destinations
and outboxes (their dead letters' too), one line per table: convert it
once, in a session of the services' zone (it is never altered for you):
` + sqldb.CreatedAtAlter + `
(no rewrite of the table when that zone is UTC, on PostgreSQL 12 and
later; else it rewrites it, under a lock that holds its readers and
writers); the services log the same warning when they start on it.
A misspelt service or destination looks the same, so depth warns on
standard error of each destination on which --service has no consumer
group. It reads only (sqlbus.Depths, outbox.Depths) and exits 0; a destination or
an outbox that cannot be read is named (exit 3) after the depths of the
others.`,
		Example: "  sourceflow sql depth --service payments --destination payments.fifo --destination order-events\n" +
			"  sourceflow sql depth --outbox outbox_payments -o json",
	}, &f, g.runSQLDepth)
	addTargetFlags(cmd, &f.sqlTargetFlags)
	cmd.Flags().StringVar(&f.service, "service", "", "the service whose consumer group reads the destinations (required with --destination)")
	addOutputFlag(cmd, &f.output)
	return cmd
}

func (g *globals) runSQLDepth(cmd *cobra.Command, f sqlDepthFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	if len(f.target.destinations)+len(f.target.outboxes) == 0 {
		return &ExitError{Code: ExitUsage, Err: errors.New("name what to measure: --destination NAME (with --service) or --outbox TOPIC, each repeatable")}
	}
	if len(f.target.destinations) > 0 && f.service == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("--destination needs --service: the service whose consumer group's backlog to count")}
	}
	if err := f.target.check(); err != nil {
		return err
	}
	return g.runSQL(cmd, f.conn, func(ctx context.Context, c *sqlConn) error {
		for _, topic := range f.target.outboxes {
			if err := c.refuseDestinationTable(ctx, "sql depth", topic); err != nil {
				return err
			}
		}
		rows, err := readDepths(ctx, c, f)
		if perr := printSQLDepths(cmd.OutOrStdout(), f, c, rows); perr != nil {
			return perr
		}
		if err == nil {
			err = warnNoGroup(ctx, cmd.ErrOrStderr(), c, f)
		}
		if err == nil {
			err = warnZoneless(ctx, cmd.ErrOrStderr(), c, f)
		}
		if err != nil {
			return c.failure("sql depth", err)
		}
		return nil
	})
}

// readDepths reads the depths of f's destinations, then of its outboxes;
// what cannot be read is left out and its error joined.
func readDepths(ctx context.Context, c *sqlConn, f sqlDepthFlags) ([]sqlDepth, error) {
	var rows []sqlDepth
	var errs []error
	if len(f.target.destinations) > 0 {
		got, err := sqlbus.Depths(ctx, c.busConfig(), f.service, f.target.destinations...)
		dests := depthRows("destination", got)
		errs = append(errs, err, addOldestAhead(ctx, c, f.service, dests))
		rows = append(rows, dests...)
	}
	for _, topic := range f.target.outboxes {
		got, err := outbox.Depths(ctx, c.outboxConfig(topic))
		rows = append(rows, depthRows("outbox", got)...)
		errs = append(errs, err)
	}
	return rows, errors.Join(errs...)
}

// warnNoGroup warns, on w, of each destination of f on which f.service has
// no consumer group: its count is then every message kept, as for a service
// that never subscribed, which a misspelt service or destination gives
// too. A failed lookup's error says what it checked.
func warnNoGroup(ctx context.Context, w io.Writer, c *sqlConn, f sqlDepthFlags) error {
	for _, d := range f.target.destinations {
		_, found, err := sqldb.FindGroup(ctx, c.db, c.target.dialect, sqlbus.Topic(d), f.service)
		if err != nil {
			return fmt.Errorf("check that service %s has a consumer group on destination %s: %w", printable(f.service), printable(d), err)
		}
		if !found {
			fmt.Fprintf(w, "warning: service %s has no consumer group on destination %s, so every message kept counts as "+
				"ahead: check both names (`sourceflow sql groups --destination %s` lists the services that read it)\n",
				printable(f.service), printable(d), printable(d))
		}
	}
	return nil
}

// depthRows pairs each depth of got with the depth of its dead letters,
// which follows it.
func depthRows(kind string, got []sourceflow.QueueDepth) []sqlDepth {
	var rows []sqlDepth
	for i := 0; i+1 < len(got); i += 2 {
		rows = append(rows, sqlDepth{Name: got[i].Queue, Kind: kind, Ahead: got[i].Visible, DeadLetters: got[i+1].Visible})
	}
	return rows
}

func printSQLDepths(w io.Writer, f sqlDepthFlags, c *sqlConn, rows []sqlDepth) error {
	if f.output == outputJSON {
		return writeJSON(w, struct {
			Service string     `json:"service,omitempty"`
			Depths  []sqlDepth `json:"depths"`
		}{f.service, append([]sqlDepth{}, rows...)})
	}
	lines := make([]string, len(rows))
	var ahead, dead int64
	for i, r := range rows {
		ahead, dead = ahead+r.Ahead, dead+r.DeadLetters
		lines[i] = fmt.Sprintf("%s\t%s\t%d\t%d\t%s", printable(r.Name), r.Kind, r.Ahead, r.DeadLetters, shownAge(r.OldestAheadSeconds))
	}
	if err := writeTable(w, "NAME\tKIND\tAHEAD\tDEAD LETTERS\tOLDEST AHEAD", lines); err != nil {
		return err
	}
	who := "On "
	if f.service != "" {
		who = "Service " + printable(f.service) + " on "
	}
	_, err := fmt.Fprintf(w, "%s%s: %s ahead, %s.\n", who, c.target.where(),
		counted(ahead, "message", "messages"), counted(dead, "dead letter", "dead letters"))
	return err
}
