package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type sqlLettersFlags struct {
	sqlTargetFlags
	output  string
	payload bool
}

func newSQLDeadLettersCommand(g *globals) *cobra.Command {
	var f sqlLettersFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "dead-letters (--destination NAME | --outbox TOPIC) [--payload]",
		Short: "List the dead letters of a destination or an outbox, with their reasons",
		Long: `dead-letters prints one line per dead letter of a destination
(sqlbus.DeadLetters) or of an outbox (outbox.DeadLetters), oldest first: the
message id (the idempotency key; else the row's uuid), the type (sf_type),
the entity (sf_entity) and the reason it was dead-lettered. An outbox's dead
letter holds the forwarder envelope: the message inside it is shown, with
the destination it was to be forwarded to. A dead letter whose metadata
cannot be read shows why as its reason.

--payload adds the payload: UTF-8 text with control characters escaped (\x1b,
\n), anything else as "base64:" and its base64. With -o json the characters
a terminal would act on are \u escapes. It reads only; nothing is
consumed. A destination or an outbox that has no table on the database
(no service used it: a misspelt name, say) has no dead letters, and a
warning on standard error says so; when its table cannot be looked up,
the warning says that instead (an interrupt during the lookup exits 130).`,
		Example: "  sourceflow sql dead-letters --destination payments.fifo\n" +
			"  sourceflow sql dead-letters --outbox sourceflow_outbox --payload -o json",
	}, &f, g.runSQLDeadLetters)
	addTargetFlags(cmd, &f.sqlTargetFlags)
	cmd.Flags().BoolVar(&f.payload, "payload", false, "show the payloads")
	addOutputFlag(cmd, &f.output)
	return cmd
}

func (g *globals) runSQLDeadLetters(cmd *cobra.Command, f sqlLettersFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	return g.runSQLOne(cmd, f.sqlTargetFlags, func(ctx context.Context, c *sqlConn, name string, isOutbox bool) error {
		return c.listDeadLetters(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
	})
}

// listDeadLetters prints the dead letters of the destination or the
// outbox name on out as f asks, and warns on errOut when there are none
// because it has no table.
func (c *sqlConn) listDeadLetters(ctx context.Context, out, errOut io.Writer, f sqlLettersFlags, name string, isOutbox bool) error {
	dead, err := c.deadLetters(ctx, name, isOutbox)
	if err != nil {
		return c.failure("sql dead-letters "+name, err)
	}
	if len(dead) == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql dead-letters "+name, err)
		}
	}
	letters := sqlLetters(dead, isOutbox, f.payload)
	if f.output == outputJSON {
		return writeJSON(out, letters)
	}
	fmt.Fprintf(out, "%s of %s on %s.\n", counted(len(letters), "dead letter", "dead letters"), describe(name, isOutbox),
		c.target.where())
	return printSQLLetters(out, letters, isOutbox, f.payload)
}

// sqlLetters decodes dead (see decodeSQLLetter), with their payloads when
// payload is set.
func sqlLetters(dead []cqrs.DeadLetter, isOutbox, payload bool) []sqlLetter {
	letters := make([]sqlLetter, len(dead))
	for i, dl := range dead {
		letters[i] = decodeSQLLetter(dl, isOutbox)
		if payload {
			letters[i] = letters[i].withPayload()
		}
	}
	return letters
}

// warnNoTable warns, on w, when the destination or the outbox name has no
// table on c's database: then it never had a message nor a dead letter, as
// a misspelt name gives, which its count of none does not tell apart from
// an empty list. The warning only adds to what the command found: when
// the lookup fails, it says so on w instead, and the command's outcome
// stands; but an interrupt (ctx cancelled) during the lookup stops the
// command: warnNoTable then returns the lookup's error, and the command
// fails as interrupted.
func warnNoTable(ctx context.Context, w io.Writer, c *sqlConn, name string, isOutbox bool) error {
	topic, who := sqlbus.Topic(name), "no service sent to it or subscribed to it there; check the name, as the services name it"
	if isOutbox {
		topic, who = name, "no service bound it there; check the name (a service's outbox Config.Topic; default "+outbox.DefaultTopic+")"
	}
	found, err := sqldb.WatermillTableExists(ctx, c.db, c.target.dialect, topic)
	switch {
	case errors.Is(err, context.Canceled) || (err != nil && errors.Is(ctx.Err(), context.Canceled)):
		return err
	case err != nil:
		fmt.Fprintf(w, "warning: could not check that %s has a table watermill_%s on %s: %v\n",
			kindName(name, isOutbox), topic, c.target.where(), c.target.scrub(err))
	case !found:
		fmt.Fprintf(w, "warning: %s has no table watermill_%s on %s: %s\n", kindName(name, isOutbox), topic, c.target.where(), who)
	}
	return nil
}

// deadLetters reads the dead letters of the destination or the outbox
// name.
func (c *sqlConn) deadLetters(ctx context.Context, name string, isOutbox bool) ([]cqrs.DeadLetter, error) {
	if isOutbox {
		return outbox.DeadLetters(ctx, c.outboxConfig(name))
	}
	return sqlbus.DeadLetters(ctx, c.busConfig(), name)
}

func printSQLLetters(w io.Writer, letters []sqlLetter, isOutbox, payload bool) error {
	if len(letters) == 0 {
		return nil
	}
	head := "MESSAGE ID\tTYPE\tENTITY\t"
	if isOutbox {
		head += "DESTINATION\t"
	}
	head += "REASON"
	if payload {
		head += "\tPAYLOAD"
	}
	lines := make([]string, len(letters))
	for i, l := range letters {
		line := printable(l.MessageID) + "\t" + printable(firstOf(l.Type, "-")) + "\t" + printable(firstOf(l.Entity, "-")) + "\t"
		if isOutbox {
			line += printable(firstOf(l.Destination, "-")) + "\t"
		}
		line += printable(firstOf(l.Reason, "none given"))
		if payload {
			line += "\t" + l.shownPayload()
		}
		lines[i] = line
	}
	return writeTable(w, head, lines)
}
