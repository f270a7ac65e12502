package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type sqlRedriveFlags struct {
	sqlTargetFlags
	storeRedriveFlags
}

func newSQLRedriveCommand(g *globals) *cobra.Command {
	var f sqlRedriveFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "redrive (--destination NAME | --outbox TOPIC) [--type TYPE] [--reason TEXT] [--before T] [--after T] [--yes] [--reset-hops]",
		Short: "Move the dead letters of a destination or an outbox back (with --yes)",
		Long: `redrive writes the dead letters of a destination back into it
(sqlbus.Redrive), or those of an outbox back into the outbox
(outbox.Redrive), oldest first, behind what was written meanwhile, each
without its reason and in the same transaction that takes it out of the
dead letters: every consumer group of the destination receives them again
(the forwarders forward them again), so fix what dead-lettered them first.
One that fails again is dead-lettered again with its new reason. Services
may run meanwhile, and redrives running together move each dead letter once.

Without --yes it only says how many dead letters there are and moves
nothing (exit 0). With --yes it moves them and says how many it moved. A
dead letter whose metadata cannot be read is left where it is, for an
operator to repair or delete, while the others move; that, or a database
error part way, prints how many moved and exits 3: run it again to move
what is left once the cause is fixed. A destination or an outbox that has
no table on the database (a misspelt name, say) draws a warning on
standard error when counted; when its table cannot be looked up, the
warning says so and the outcome stands (an interrupt during the lookup
exits 130). With --yes such a name is refused first (exit 2), moving
nothing, and a lookup that fails exits 3.

--reset-hops removes each message's hop count (sf_hops) as it moves it, so
that a message dead-lettered at the hop limit (cqrs.ErrHopLimit) once its
causation loop is fixed counts as sent by no handler, and its handler's
sends are not refused again at the same hop; should the loop still be
there, it stops again at the limit.

` + sqlRedriveSelectHelp,
		Example: "  sourceflow sql redrive --destination payments.fifo\n" +
			"  sourceflow sql redrive --destination payments.fifo --yes\n" +
			"  sourceflow sql redrive --outbox outbox_payments --yes\n" +
			"  sourceflow sql redrive --destination order-events --yes --reset-hops\n" +
			"  sourceflow sql redrive --destination payments.fifo --reason 'i/o timeout' --after 2026-12-07T02:10:00Z --before 2026-12-07T02:40:00Z --yes",
	}, &f, g.runSQLRedrive)
	addTargetFlags(cmd, &f.sqlTargetFlags)
	addStoreRedriveFlags(cmd, &f.storeRedriveFlags, sqlDeadLetteredAt)
	return cmd
}

func (g *globals) runSQLRedrive(cmd *cobra.Command, f sqlRedriveFlags) error {
	if err := f.sel.parse(cmd); err != nil {
		return err
	}
	return g.runSQLOne(cmd, f.sqlTargetFlags, func(ctx context.Context, c *sqlConn, name string, isOutbox bool) error {
		if err := c.countFromDatabase(ctx, &f.sel, name); err != nil {
			return err
		}
		if f.sel.any() {
			return c.redriveSelected(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
		}
		if !f.yes {
			return c.countToRedrive(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), name, isOutbox)
		}
		return c.redriveAll(ctx, cmd.OutOrStdout(), name, isOutbox, f.resetHops)
	})
}

// countFromDatabase counts --before and --after given as a duration back
// from the database's time, read once, which wrote the created_at they
// compare with: an operator's clock off from it, or in another time
// zone, moves no dead letter to the wrong side of the bound.
func (c *sqlConn) countFromDatabase(ctx context.Context, sel *redriveSelect, name string) error {
	if !sel.relative() {
		return nil
	}
	now, err := sqldb.DatabaseNow(ctx, c.db, c.target.dialect)
	if err != nil {
		return c.failure("sql redrive "+name, err)
	}
	if err := sel.countFrom(now); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// countToRedrive says how many dead letters the destination or the outbox
// name has, moving none (redrive without --yes), and warns on errOut when
// it has no table.
func (c *sqlConn) countToRedrive(ctx context.Context, out, errOut io.Writer, name string, isOutbox bool) error {
	dead, err := c.deadLetterCount(ctx, name, isOutbox)
	if err != nil {
		return c.failure("sql redrive "+name, err)
	}
	if dead == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql redrive "+name, err)
		}
	}
	fmt.Fprintf(out, "%s of %s on %s. Nothing moved: add --yes to move %s back "+
		"(`sourceflow sql dead-letters %s` shows %[4]s first).\n", counted(dead, "dead letter", "dead letters"),
		describe(name, isOutbox), c.target.where(), agree(dead, "it", "them"), targetFlag(name, isOutbox))
	return nil
}

// redriveAll moves the dead letters of the destination or the outbox name
// back (redrive --yes), without their hop counts when resetHops, and says
// how many it moved. A name without a table on the database (knownTarget)
// is refused first, moving nothing.
func (c *sqlConn) redriveAll(ctx context.Context, out io.Writer, name string, isOutbox, resetHops bool) error {
	if err := c.knownTarget(ctx, name, isOutbox); err != nil {
		return err
	}
	moved, err := c.redrive(ctx, name, isOutbox, cqrs.RedriveOptions{ResetHops: resetHops})
	fmt.Fprintf(out, "Moved %s back into %s.\n", counted(moved, "dead letter", "dead letters"), kindName(name, isOutbox))
	if err != nil {
		return c.redriveFailure("sql redrive "+name, targetFlag(name, isOutbox), moved, err)
	}
	return nil
}

// knownTarget refuses (exit 2) the destination or the outbox name when it
// has no table on the database: a misspelt name, which redrive --yes
// would report as 0 moved, exiting 0. A lookup that fails is the
// command's failure (exit 3; 130 when interrupted).
func (c *sqlConn) knownTarget(ctx context.Context, name string, isOutbox bool) error {
	topic, who := noTableText(name, isOutbox)
	found, err := sqldb.WatermillTableExists(ctx, c.db, c.target.dialect, topic)
	if err != nil {
		return c.failure("sql redrive "+name, err)
	}
	if !found {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s has no table watermill_%s on %s: %s; nothing moved",
			kindName(name, isOutbox), topic, c.target.where(), who)}
	}
	return nil
}

// redriveFailure is the error of a redrive that moved some dead letters
// (moved) and left others: one that cannot be read, or those after a
// failed call.
func (c *sqlConn) redriveFailure(what, flag string, moved int, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return c.failure(fmt.Sprintf("%s: moved %d, then stopped", what, moved), err)
	}
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("%s (%s): moved %d, and left dead letters: %w\n"+
		"what was not moved stays a dead letter: `sourceflow sql dead-letters %s` lists it with why; "+
		"repair or delete a dead letter whose metadata cannot be read, or fix what failed, then run redrive again",
		what, c.target.where(), moved, c.target.scrub(err), flag)}
}

// redrive moves the dead letters of the destination or the outbox name
// back with opts.
func (c *sqlConn) redrive(ctx context.Context, name string, isOutbox bool, opts cqrs.RedriveOptions) (int, error) {
	if isOutbox {
		return outbox.RedriveWith(ctx, c.outboxConfig(name), opts)
	}
	return sqlbus.RedriveWith(ctx, c.busConfig(), name, opts)
}

// deadLetterCount counts the dead letters of the destination or the outbox
// name, without reading them.
func (c *sqlConn) deadLetterCount(ctx context.Context, name string, isOutbox bool) (int64, error) {
	var depths []sourceflow.QueueDepth
	var err error
	if isOutbox {
		depths, err = outbox.Depths(ctx, c.outboxConfig(name))
	} else {
		depths, err = sqlbus.Depths(ctx, c.busConfig(), "", name)
	}
	if err != nil {
		return 0, err
	}
	return depths[1].Visible, nil // the dead letters follow the backlog
}
