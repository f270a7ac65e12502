package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type sqlFilterFlags struct {
	conn        connFlags
	destination string
	service     string
	remove      string
	yes         bool
}

func newSQLFilterCommand(g *globals) *cobra.Command {
	var f sqlFilterFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "filter --destination NAME --service SERVICE [--remove TYPE --yes]",
		Short: "List the event types a service's consumer group takes from a destination, or remove one",
		Long: `filter lists the event type filter of a service's consumer group on an
event destination (sqlbus.EventFilter): the event types some version of
the service that started handles there. The group drops an event of any
other type, as an SNS filter policy would; it retries one of a listed type
it does not handle, for a newer version to take, and dead-letters it on
its last delivery. Each Start of the service adds the types it handles
(sqlbus.WidenEventFilter adds one ahead of a deploy); no service takes
one out: --remove does.

--remove TYPE --yes removes a type no running version of the service
handles any more (sqlbus.NarrowEventFilter), so its events are dropped
rather than dead-lettered; without --yes it only says what it would
remove. A version that handles the type adds it back when it starts. It
exits 0, or 1 when --remove names a type the filter does not hold, with
or without --yes.`,
		Example: "  sourceflow sql filter --destination order-events --service billing\n" +
			"  sourceflow sql filter --destination order-events --service billing --remove orders.Shipped --yes",
	}, &f, g.runSQLFilter)
	addConnFlags(cmd, &f.conn)
	cmd.Flags().StringVar(&f.destination, "destination", "", "the sqlbus event destination, as the services name it")
	cmd.Flags().StringVar(&f.service, "service", "", "the service, whose name is its consumer group's")
	cmd.Flags().StringVar(&f.remove, "remove", "", "the event type to remove from the filter (with --yes)")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "remove the type --remove names; without it filter only says what it would remove")
	return cmd
}

func (g *globals) runSQLFilter(cmd *cobra.Command, f sqlFilterFlags) error {
	if f.destination == "" || f.service == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("name the destination and the service: --destination NAME --service SERVICE")}
	}
	return g.runSQL(cmd, f.conn, func(ctx context.Context, c *sqlConn) error {
		if f.remove != "" {
			return c.removeFilterType(ctx, cmd, f)
		}
		types, err := sqlbus.EventFilter(ctx, c.busConfig(), f.destination, f.service)
		if err != nil {
			return c.failure("sql filter "+f.destination, err)
		}
		lines := make([]string, len(types))
		for i, typ := range types {
			lines[i] = printable(typ)
		}
		out := cmd.OutOrStdout()
		if err := writeTable(out, "EVENT TYPE", lines); err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s in the filter of service %s on destination %s on %s.\n",
			counted(len(types), "event type", "event types"), printable(f.service), printable(f.destination), c.target.where())
		return err
	})
}

// removeFilterType removes f.remove from the filter, or with f.yes unset
// says it would, reading the filter; either fails when the filter does
// not hold it.
func (c *sqlConn) removeFilterType(ctx context.Context, cmd *cobra.Command, f sqlFilterFlags) error {
	noType := &ExitError{Code: ExitDrift, Err: fmt.Errorf("the filter of service %s on destination %s on %s holds no event type %s: "+
		"`sourceflow sql filter --destination %s --service %s` lists them", f.service, f.destination, c.target.where(), f.remove, f.destination, f.service)}
	out := cmd.OutOrStdout()
	if !f.yes {
		types, err := sqlbus.EventFilter(ctx, c.busConfig(), f.destination, f.service)
		if err != nil {
			return c.failure("sql filter "+f.destination, err)
		}
		if !slices.Contains(types, f.remove) {
			return noType
		}
		_, err = fmt.Fprintf(out, "Would remove event type %s from the filter of service %s on destination %s on %s. Nothing removed: add --yes to remove it.\n",
			printable(f.remove), printable(f.service), printable(f.destination), c.target.where())
		return err
	}
	n, err := sqlbus.NarrowEventFilter(ctx, c.busConfig(), f.destination, f.service, f.remove)
	if err != nil {
		return c.failure("sql filter --remove "+f.remove, err)
	}
	if n == 0 {
		return noType
	}
	_, err = fmt.Fprintf(out, "Removed event type %s from the filter of service %s on destination %s.\n",
		printable(f.remove), printable(f.service), printable(f.destination))
	return err
}
