package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

func newSQLPruneCommand(g *globals) *cobra.Command {
	var f sqlTargetFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "prune (--destination NAME [--destination NAME…] | --outbox TOPIC [--outbox TOPIC…])",
		Short: "Delete the rows of destinations or outboxes that every consumer group has acknowledged",
		Long: `prune deletes the rows of each destination that every consumer group of it
has acknowledged (sqlbus.Prune), or the rows of each outbox the forwarders
have forwarded or dead-lettered (outbox.Prune), a thousand per statement,
and prints how many it deleted. It keeps the last acknowledged row, every
row a group has yet to read and the dead letters; a destination no service
ever subscribed to has no consumer group, and nothing of it is deleted.
Subscriptions and forwarders prune on their own every Config.PruneInterval
(a minute by default): prune is for tables whose services prune never
(PruneInterval negative) or are down. Services may run meanwhile.`,
		Example: "  sourceflow sql prune --destination payments.fifo --destination order-events\n" +
			"  sourceflow sql prune --outbox outbox_payments",
	}, &f, g.runSQLPrune)
	addTargetFlags(cmd, &f)
	return cmd
}

func (g *globals) runSQLPrune(cmd *cobra.Command, f sqlTargetFlags) error {
	if err := f.target.some(); err != nil {
		return err
	}
	return g.runSQL(cmd, f.conn, func(ctx context.Context, c *sqlConn) error {
		out := cmd.OutOrStdout()
		var total int64
		for _, name := range slices.Concat(f.target.destinations, f.target.outboxes) {
			isOutbox := len(f.target.outboxes) > 0
			n, err := c.prune(ctx, name, isOutbox)
			total += n
			if err != nil {
				if n > 0 {
					fmt.Fprintf(out, "Pruned %s in part: %s deleted, then it failed.\n", kindName(name, isOutbox), counted(n, "row", "rows"))
				}
				return c.failure("sql prune "+name, err)
			}
			fmt.Fprintf(out, "Pruned %s: %s deleted.\n", kindName(name, isOutbox), counted(n, "row", "rows"))
		}
		fmt.Fprintf(out, "%s deleted on %s.\n", counted(total, "row", "rows"), c.target.where())
		return nil
	})
}

// prune deletes the acknowledged rows of the destination or the outbox
// name.
func (c *sqlConn) prune(ctx context.Context, name string, isOutbox bool) (int64, error) {
	if isOutbox {
		return outbox.Prune(ctx, c.outboxConfig(name))
	}
	return sqlbus.Prune(ctx, c.busConfig(), name)
}
