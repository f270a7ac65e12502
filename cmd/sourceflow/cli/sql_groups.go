package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type sqlGroupsFlags struct {
	conn        connFlags
	destination string
	remove      string
	yes         bool
	output      string
}

// sqlGroupJSON is one consumer group of sql groups -o json.
type sqlGroupJSON struct {
	Service string `json:"service"`
	Ahead   int64  `json:"ahead"`
	// OldestAheadSeconds is, for a group with messages ahead, how long ago
	// the oldest of them was written, in seconds.
	OldestAheadSeconds *int64 `json:"oldest_ahead_seconds,omitempty"`
}

func newSQLGroupsCommand(g *globals) *cobra.Command {
	var f sqlGroupsFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "groups --destination NAME [--remove SERVICE --yes]",
		Short: "List the consumer groups of a destination, or remove a retired service's",
		Long: `groups lists every consumer group of a destination: each service that
subscribed to it, with how many of its messages the service has yet to
handle (sqlbus.ConsumerGroups) and how long ago the oldest of them was
written (OLDEST AHEAD, as sql depth shows it). A service that no longer runs keeps its
group, whose backlog grows with every message and holds back the pruning
of the destination for every other service.

--remove SERVICE --yes deletes that service's group (sqlbus.RemoveConsumerGroup)
so the destination is pruned again; without --yes it only says what it
would remove. Remove only the group of a service that is gone: one still
running reads the destination again from the first row kept (its
idempotency drops what it handled before). The listing with -o json is
{"destination": ..., "groups": [{"service", "ahead",
"oldest_ahead_seconds"}]}. It exits 0, or 1
when --remove names a group the destination does not have, with or
without --yes.`,
		Example: "  sourceflow sql groups --destination order-events\n" +
			"  sourceflow sql groups --destination order-events -o json\n" +
			"  sourceflow sql groups --destination order-events --remove reporting --yes",
	}, &f, g.runSQLGroups)
	addConnFlags(cmd, &f.conn)
	cmd.Flags().StringVar(&f.destination, "destination", "", "the sqlbus destination, as the services name it")
	cmd.Flags().StringVar(&f.remove, "remove", "", "the service whose consumer group to remove (with --yes)")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "remove the group --remove names; without it groups only says what it would remove")
	addOutputFlag(cmd, &f.output)
	return cmd
}

func (g *globals) runSQLGroups(cmd *cobra.Command, f sqlGroupsFlags) error {
	if f.destination == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("name the destination: --destination NAME")}
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	if f.remove != "" && f.output == outputJSON {
		return &ExitError{Code: ExitUsage, Err: errors.New("-o json lists the groups; --remove prints what it did as text")}
	}
	return g.runSQL(cmd, f.conn, func(ctx context.Context, c *sqlConn) error {
		if f.remove != "" {
			return c.removeGroup(ctx, cmd, f)
		}
		groups, err := sqlbus.ConsumerGroups(ctx, c.busConfig(), f.destination)
		if err != nil {
			return c.failure("sql groups "+f.destination, err)
		}
		ages, err := groupAges(ctx, c, f.destination, groups)
		if err != nil {
			return c.failure("sql groups "+f.destination, err)
		}
		if f.output == outputJSON {
			return writeGroupsJSON(cmd.OutOrStdout(), f.destination, groups, ages)
		}
		return writeGroupsTable(cmd.OutOrStdout(), f.destination, c.target.where(), groups, ages)
	})
}

// writeGroupsTable prints groups, the consumer groups of destination on
// where, as a table, with ages (see groupAges). A group's name comes from the database, where anyone
// who may subscribe chose it: its characters a terminal would act on are
// escaped (see printable).
func writeGroupsTable(w io.Writer, destination, where string, groups []sqlbus.ConsumerGroup, ages []*int64) error {
	lines := make([]string, len(groups))
	for i, gr := range groups {
		lines[i] = fmt.Sprintf("%s\t%d\t%s", printable(gr.Service), gr.Ahead, shownAge(ages[i]))
	}
	if err := writeTable(w, "SERVICE\tAHEAD\tOLDEST AHEAD", lines); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s of destination %s on %s.\n",
		counted(len(groups), "consumer group", "consumer groups"), printable(destination), where)
	return err
}

// removeGroup removes the consumer group f.remove of f.destination, or with
// f.yes unset says it would.
func (c *sqlConn) removeGroup(ctx context.Context, cmd *cobra.Command, f sqlGroupsFlags) error {
	out := cmd.OutOrStdout()
	if !f.yes {
		// The database finds the group as the removal does (see
		// sqldb.FindGroup), so the dry run names the group --yes removes.
		topic := sqlbus.Topic(f.destination)
		group, found, err := sqldb.FindGroup(ctx, c.db, c.target.dialect, topic, f.remove)
		if err != nil {
			return c.failure("sql groups --remove "+f.remove, err)
		}
		if !found {
			return c.noGroup(f)
		}
		ahead, err := sqldb.Backlog(ctx, c.db, c.target.dialect, topic, group)
		if err != nil {
			return c.failure("sql groups --remove "+f.remove, err)
		}
		_, err = fmt.Fprintf(out, "Would remove the consumer group of service %s (%s ahead) from destination %s on %s. "+
			"Nothing removed: add --yes to remove it.\n", printable(group), counted(ahead, "message", "messages"), printable(f.destination), c.target.where())
		return err
	}
	removed, err := sqlbus.RemoveConsumerGroup(ctx, c.busConfig(), f.destination, f.remove)
	if err != nil {
		return c.failure("sql groups --remove "+f.remove, err)
	}
	if !removed {
		return c.noGroup(f)
	}
	_, err = fmt.Fprintf(out, "Removed the consumer group of service %s from destination %s.\n", printable(f.remove), printable(f.destination))
	return err
}

// noGroup is the error of a --remove that names a group f.destination does
// not have, with or without --yes.
func (c *sqlConn) noGroup(f sqlGroupsFlags) error {
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("destination %s has no consumer group of service %s on %s: "+
		"`sourceflow sql groups --destination %s` lists them", f.destination, f.remove, c.target.where(), f.destination)}
}

func writeGroupsJSON(w io.Writer, destination string, groups []sqlbus.ConsumerGroup, ages []*int64) error {
	out := make([]sqlGroupJSON, len(groups))
	for i, g := range groups {
		out[i] = sqlGroupJSON{Service: g.Service, Ahead: g.Ahead, OldestAheadSeconds: ages[i]}
	}
	return writeJSON(w, struct {
		Destination string         `json:"destination"`
		Groups      []sqlGroupJSON `json:"groups"`
	}{destination, out})
}
