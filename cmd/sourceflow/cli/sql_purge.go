package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

type sqlPurgeFlags struct {
	sqlTargetFlags
	typ  string
	only bool // --type was given
	yes  bool
}

func newSQLPurgeCommand(g *globals) *cobra.Command {
	var f sqlPurgeFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "purge (--destination NAME | --outbox TOPIC) [--type TYPE] [--yes]",
		Short: "Delete the dead letters of a destination or an outbox (with --yes), or only those of one type",
		Long: `purge deletes the dead letters of a destination or of an outbox for good:
poison messages no fix will ever let a handler accept. With --type it
deletes only those of that message type (sf_type; for an outbox, the type
of the message inside the forwarder envelope, read from its first 64 KiB:
a larger envelope has no known type and is kept by --type). Look at them
first: ` + "`sourceflow sql dead-letters --summary`" + ` counts them by type and reason.

Without --yes it deletes nothing: it counts the dead letters it would
delete, by type (up to 100,000: past that, "at least"), and exits 0. With
--yes it deletes them, 100 per transaction, only those there when it
began, and says how many it deleted; a database error part way prints how
many it deleted and exits 3: run it again for the rest. Services may run
meanwhile. A destination or an outbox that has no table on the database (a
misspelt name, say) draws a warning on standard error, as for redrive.
An --outbox whose dead-letter table has a binary payload column is the
sqlbus destination <topic>_dead_letters (an outbox's has a JSON one, and
sqlbus's tables a binary one, consumer groups or not): purge deletes
nothing and exits 1.`,
		Example: "  sourceflow sql purge --destination orders.fifo --type orders.RefundOrder\n" +
			"  sourceflow sql purge --destination orders.fifo --type orders.RefundOrder --yes\n" +
			"  sourceflow sql purge --outbox outbox_payments --yes",
	}, &f, g.runSQLPurge)
	addTargetFlags(cmd, &f.sqlTargetFlags)
	cmd.Flags().StringVar(&f.typ, "type", "", "delete only the dead letters of this message type (sf_type: orders.RefundOrder)")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "delete the dead letters; without it purge only counts them")
	return cmd
}

func (g *globals) runSQLPurge(cmd *cobra.Command, f sqlPurgeFlags) error {
	f.only = cmd.Flags().Changed("type")
	if f.only && f.typ == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("--type is empty: name the message type (sf_type) to delete, or leave --type out to delete every dead letter")}
	}
	return g.runSQLOne(cmd, f.sqlTargetFlags, func(ctx context.Context, c *sqlConn, name string, isOutbox bool) error {
		if !f.yes {
			return c.countToPurge(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
		}
		return c.purgeAll(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
	})
}

// countToPurge says how many dead letters purge --yes would delete, by
// type, deleting none, and warns on errOut when there is no table.
func (c *sqlConn) countToPurge(ctx context.Context, out, errOut io.Writer, f sqlPurgeFlags, name string, isOutbox bool) error {
	t, err := c.tallyLetters(ctx, name, isOutbox, f.typ, f.only, false)
	if err != nil {
		return c.failure("sql purge "+name, err)
	}
	if t.total == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql purge "+name, err)
		}
	}
	fmt.Fprintf(out, "%s%s%s of %s on %s would be deleted.\n", atLeastWord(t.atLeast), counted(t.total, "dead letter", "dead letters"),
		ofType(f), describe(name, isOutbox), c.target.where())
	if err := writeCounts(out, "TYPE", sortedCounts(t.byType)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "Nothing deleted: add --yes to delete %s (`sourceflow sql dead-letters %s` lists them first).\n",
		agree(t.total, "it", "them"), targetFlag(name, isOutbox))
	return err
}

// purgeAll deletes the dead letters f names and says how many it deleted;
// when it deleted none, it warns on errOut if there is no table.
func (c *sqlConn) purgeAll(ctx context.Context, out, errOut io.Writer, f sqlPurgeFlags, name string, isOutbox bool) error {
	deleted, err := c.purge(ctx, name, isOutbox, f)
	fmt.Fprintf(out, "Deleted %s%s of %s.\n", counted(deleted, "dead letter", "dead letters"), ofType(f), kindName(name, isOutbox))
	if err != nil {
		return c.failure(fmt.Sprintf("sql purge %s: deleted %d, then stopped", name, deleted), err)
	}
	if deleted == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql purge "+name, err)
		}
	}
	return nil
}

// ofType is what purge's messages say of --type.
func ofType(f sqlPurgeFlags) string {
	if !f.only {
		return ""
	}
	return " of type " + printable(f.typ)
}
