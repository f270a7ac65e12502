package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

type dynamoRedriveFlags struct {
	dynamoFlags
	storeRedriveFlags
}

func newDynamoRedriveCommand(g *globals) *cobra.Command {
	var f dynamoRedriveFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "redrive --table-prefix P --outbox NAME [--type TYPE] [--reason TEXT] [--before T] [--after T] [--yes] [--reset-hops]",
		Short: "Return the dead letters of a DynamoDB outbox to the sweep (with --yes)",
		Long: `redrive returns the outbox's dead letters to their shards (Outbox.Redrive),
each without its reason, in one transaction per dead letter: the services'
sweeps relay them again, after the messages that went out meanwhile, so fix
what dead-lettered them first. One that fails again is dead-lettered again
with its new reason.

Without --yes it only says how many dead letters there are and moves
nothing (exit 0). With --yes it redrives them and says how many; a
DynamoDB error part way says how many it redrove and exits 3: run it again
to redrive what is left.

--reset-hops removes each message's hop count (sf_hops) as it redrives it
(Outbox.RedriveWith), so that a message dead-lettered at the hop limit
(cqrs.ErrHopLimit) once its causation loop is fixed counts as sent by no
handler, and its handler's sends are not refused again at the same hop;
should the loop still be there, it stops again at the limit.

` + dynamoRedriveSelectHelp,
		Example: "  sourceflow dynamo redrive --table-prefix sourceflow_ --outbox payments\n" +
			"  sourceflow dynamo redrive --table-prefix sourceflow_ --outbox payments --yes\n" +
			"  sourceflow dynamo redrive --table-prefix sourceflow_ --outbox payments --yes --reset-hops\n" +
			"  sourceflow dynamo redrive --table-prefix sourceflow_ --outbox payments --type payments.Charge --reason throttled --yes",
	}, &f, g.runDynamoRedrive)
	addDynamoFlags(cmd, &f.dynamoFlags)
	addStoreRedriveFlags(cmd, &f.storeRedriveFlags, dynamoDeadLetteredAt)
	return cmd
}

func (g *globals) runDynamoRedrive(cmd *cobra.Command, f dynamoRedriveFlags) error {
	what := "dynamo redrive " + printable(f.outbox)
	if err := f.sel.parseAt(cmd, g.cfg.Now()); err != nil {
		return err
	}
	return g.runDynamo(cmd, f.dynamoFlags, func(ctx context.Context, c *dynamoConn) error {
		out := cmd.OutOrStdout()
		if f.sel.any() {
			return c.redriveSelected(ctx, cmd, f)
		}
		if !f.yes {
			dead, waiting, err := c.deadLetterCount(ctx)
			if err != nil {
				return c.failure(what, err)
			}
			if dead == 0 && waiting == 0 {
				defer c.noteEmpty(ctx, cmd.ErrOrStderr())
			}
			fmt.Fprintf(out, "%s of outbox %s in %s. Nothing moved: add --yes to redrive %s "+
				"(`sourceflow dynamo dead-letters --table-prefix %s --outbox %s` shows %[4]s first).\n",
				counted(dead, "dead letter", "dead letters"), printable(f.outbox), c.where(), agree(dead, "it", "them"),
				shellWord(f.tablePrefix), shellWord(f.outbox))
			return nil
		}
		moved, err := c.outbox.RedriveWith(ctx, dynamostore.OutboxRedriveOptions{ResetHops: f.resetHops})
		fmt.Fprintf(out, "Redrove %s of outbox %s.\n", counted(moved, "dead letter", "dead letters"), printable(f.outbox))
		if err != nil {
			return c.failure(fmt.Sprintf("%s: redrove %d, then stopped", what, moved), err)
		}
		if moved == 0 {
			c.noteIfEmpty(ctx, cmd.ErrOrStderr())
		}
		return nil
	})
}

// deadLetterCount counts the outbox's dead letters and the messages
// waiting (Outbox.Depths).
func (c *dynamoConn) deadLetterCount(ctx context.Context) (dead, waiting int64, err error) {
	depths, err := c.outbox.Depths(ctx)
	for _, d := range depths {
		dead, waiting = dead+d.DeadLetters, waiting+d.Waiting
	}
	return dead, waiting, err
}
