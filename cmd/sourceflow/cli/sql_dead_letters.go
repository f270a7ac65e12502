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

// envelopeCutNote is what sql dead-letters shows for the destination of
// an outbox dead letter whose envelope it read cut (sqlLetter.EnvelopeCut).
const envelopeCutNote = "(envelope over 64 KiB: see --payload)"

// listedPayloadBytes is how much of each payload sql dead-letters reads
// without --payload: enough to read an outbox's forwarder envelope, never
// a whole large row it does not print.
const listedPayloadBytes = 64 << 10

type sqlLettersFlags struct {
	sqlTargetFlags
	output  string
	max     int
	payload bool
	summary bool
}

// sqlDeadLettersLong is the help of sql dead-letters.
const sqlDeadLettersLong = `dead-letters prints one line per dead letter of a destination
(as sqlbus.DeadLetters reads them) or of an outbox (outbox.DeadLetters), oldest first, up
to --max of them (10 by default), and says how many more there are (up
to 100,000: past that, "at least 100000 more"): the
message id (with its type, the idempotency key; else the row's uuid), the type (sf_type),
the entity (sf_entity), for a destination the service (consumer group)
that dead-lettered it (sf_dead_lettered_by; "-" for a dead letter written
before sqlbus recorded it), the host and the version of the service
whose handler failed it (sf_failed_host and sf_failed_version, which the
services record beside the reason; "failed_host" and "failed_version" with
-o json; "-", and left out of JSON, for a dead letter that does not say),
AGE: how long ago it was dead-lettered (its
row's created_at, by the database's clock, read as sql depth says;
"dead_lettered" and "age_seconds" with -o json), and the reason it was
dead-lettered. An outbox's dead
letter holds the forwarder envelope: the message inside it is shown, with
the destination it was to be forwarded to (from the first 64 KiB of the
row: a larger envelope shows its fields with --payload only, and "?" and
a note without; "envelope_cut": true with -o json). A dead letter
whose metadata cannot be read shows why as its reason. Control characters
in what it prints are escaped (\x1b, \n).

--payload adds the payload, and only then is each payload read whole: UTF-8 text with control characters escaped (\x1b,
\n), anything else as "base64:" and its base64. With -o json the characters
a terminal would act on are \u escapes, and a note on standard error
says how many dead letters --max left out. It reads only; nothing is
consumed. A destination or an outbox that has no table on the database
(no service used it: a misspelt name, say) has no dead letters, and a
warning on standard error says so; when its table cannot be looked up,
the warning says that instead (an interrupt during the lookup exits 130).

--summary counts the dead letters instead (up to 100,000: past that, "at
least"), by type and by reason, the most frequent first: the reason's first
line with what differs from one dead letter to the next shown as a mark
(the message's id as <message id>, its entity as <entity>, any other UUID
as <id>), so the dead letters of one fault share a row, and by the
service that dead-lettered them, those that name one. A type, a service or a
reason longer than 1 KiB is cut to it, "…" marking the cut, so memory
stays bounded however long the reasons. It also says
when the first and the last were dead-lettered (their rows' created_at, by
the database's clock, read right in any session time zone but in a
PostgreSQL table of an earlier release, as sql depth says). With -o json it
prints
{"name", "kind", "dead_letters", "at_least", "by_type": [{"type",
"count"}], "by_reason": [{"reason", "count"}], "by_service": [{"service",
"count"}] (when one names a service), "oldest", "newest"}.`

func newSQLDeadLettersCommand(g *globals) *cobra.Command {
	var f sqlLettersFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "dead-letters (--destination NAME | --outbox TOPIC) [--max N] [--payload | --summary]",
		Short: "List the dead letters of a destination or an outbox, with their reasons",
		Long:  sqlDeadLettersLong,
		Example: "  sourceflow sql dead-letters --destination payments.fifo\n" +
			"  sourceflow sql dead-letters --destination payments.fifo --max 100\n" +
			"  sourceflow sql dead-letters --destination payments.fifo --summary\n" +
			"  sourceflow sql dead-letters --outbox outbox_payments --payload -o json",
	}, &f, g.runSQLDeadLetters)
	addTargetFlags(cmd, &f.sqlTargetFlags)
	addDeadLetterFlags(cmd, &f.max, &f.summary, &f.output)
	cmd.Flags().BoolVar(&f.payload, "payload", false, "show the payloads (read whole only then)")
	return cmd
}

func (g *globals) runSQLDeadLetters(cmd *cobra.Command, f sqlLettersFlags) error {
	if err := checkDeadLetterFlags(f.output, f.max); err != nil {
		return err
	}
	if f.summary && (f.payload || cmd.Flags().Changed("max")) {
		return &ExitError{Code: ExitUsage, Err: errors.New("--summary counts every dead letter and shows no payload: leave out --max and --payload")}
	}
	return g.runSQLOne(cmd, f.sqlTargetFlags, func(ctx context.Context, c *sqlConn, name string, isOutbox bool) error {
		if f.summary {
			return c.summarizeDeadLetters(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
		}
		return c.listDeadLetters(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f, name, isOutbox)
	})
}

// listDeadLetters prints the dead letters of the destination or the
// outbox name on out as f asks, and warns on errOut when there are none
// because it has no table.
func (c *sqlConn) listDeadLetters(ctx context.Context, out, errOut io.Writer, f sqlLettersFlags, name string, isOutbox bool) error {
	rows, more, err := c.deadLetters(ctx, name, isOutbox, f)
	if err != nil {
		return c.failure("sql dead-letters "+name, err)
	}
	if len(rows) == 0 && more == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql dead-letters "+name, err)
		}
	}
	letters := rowLetters(rows, name, isOutbox, f.payload)
	if f.output == outputJSON {
		if more > 0 {
			fmt.Fprintf(errOut, "note: %s%s not shown: the oldest %d are (raise --max)\n",
				atLeast(more), counted(more, "more dead letter", "more dead letters"), len(letters))
		}
		return writeJSON(out, letters)
	}
	fmt.Fprintf(out, "%s%s of %s on %s%s.\n", atLeast(more), counted(int64(len(letters))+more, "dead letter", "dead letters"),
		describe(name, isOutbox), c.target.where(), notShown(more, len(letters)))
	return printSQLLetters(out, letters, isOutbox, f.payload)
}

// notShown is what the heading of sql dead-letters adds when --max left
// more dead letters out (more) than those shown.
func notShown(more int64, shown int) string {
	if more == 0 {
		return ""
	}
	return fmt.Sprintf("; the oldest %d shown, %s%d more not shown (raise --max)", shown, atLeast(more), more)
}

// atLeast is "at least " when more is the bound sqlbus.DeadLetters and
// outbox.DeadLetters count up to (MoreDeadLettersBound, the same in both):
// then there may be more than that.
func atLeast(more int64) string {
	if more >= sqlbus.MoreDeadLettersBound || more >= outbox.MoreDeadLettersBound {
		return "at least "
	}
	return ""
}

// rowLetters decodes rows, the dead letters of the destination or the
// outbox name (see sqlLetters), with when each was dead-lettered and how
// long ago, by the database's clock.
func rowLetters(rows []sqldb.WatermillRow, name string, isOutbox, payload bool) []sqlLetter {
	dead := make([]cqrs.DeadLetter, len(rows))
	for i, r := range rows {
		dead[i] = rowDeadLetter(name, r)
	}
	letters := sqlLetters(dead, isOutbox, payload)
	for i, r := range rows {
		if !r.Written.At.IsZero() {
			letters[i].DeadLettered = &rows[i].Written.At
			letters[i].AgeSeconds = ageSeconds(r.Written)
		}
	}
	return letters
}

// sqlLetters decodes dead (see decodeSQLLetter), with their payloads when
// payload is set.
func sqlLetters(dead []cqrs.DeadLetter, isOutbox, payload bool) []sqlLetter {
	letters := make([]sqlLetter, len(dead))
	for i, dl := range dead {
		letters[i] = decodeSQLLetter(dl, isOutbox, !payload)
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
	topic, who := noTableText(name, isOutbox)
	found, err := sqldb.WatermillTableExists(ctx, c.db, c.target.dialect, topic)
	switch {
	case errors.Is(err, context.Canceled) || (err != nil && errors.Is(ctx.Err(), context.Canceled)):
		return err
	case err != nil:
		fmt.Fprintf(w, "warning: could not check that %s has a table watermill_%s on %s: %s\n",
			kindName(name, isOutbox), printable(topic), c.target.where(), printable(c.target.scrub(err).Error()))
	case !found:
		fmt.Fprintf(w, "warning: %s has no table watermill_%s on %s: %s\n", kindName(name, isOutbox), printable(topic), c.target.where(), who)
	}
	return nil
}

// noTableText returns the topic of the destination or the outbox name, its
// table being watermill_<topic>, and why it may have none on the database,
// and what to check.
func noTableText(name string, isOutbox bool) (topic, who string) {
	if isOutbox {
		return name, "no service bound it there; check the name (a service's outbox Config.Topic; default outbox_<service>, as outbox.TopicFor names it)"
	}
	return sqlbus.Topic(name), "no service sent to it or subscribed to it there; check the name, as the services name it"
}

// deadLetters reads up to f.max dead letters of the destination or the
// outbox name, as sqlbus.DeadLetters and outbox.DeadLetters read them,
// with when each row was written (its created_at) and their payloads whole
// only with f.payload, and how many more there are.
func (c *sqlConn) deadLetters(ctx context.Context, name string, isOutbox bool, f sqlLettersFlags) ([]sqldb.WatermillRow, int64, error) {
	h := sqldb.WatermillHead{Limit: f.max, PayloadBytes: listedPayloadBytes, JSONPayload: isOutbox, Written: true}
	if f.payload {
		h.PayloadBytes = 0 // whole
	}
	rows, more, err := sqldb.ReadWatermillHead(ctx, c.db, c.target.dialect, deadLetterTable(name, isOutbox), h)
	if err != nil {
		return nil, 0, fmt.Errorf("read the dead letters of %s: %w", describe(name, isOutbox), err)
	}
	return rows, more, nil
}

func printSQLLetters(w io.Writer, letters []sqlLetter, isOutbox, payload bool) error {
	if len(letters) == 0 {
		return nil
	}
	head := "MESSAGE ID\tTYPE\tENTITY\tSERVICE\tHOST\tVERSION\t"
	if isOutbox {
		head = "MESSAGE ID\tTYPE\tENTITY\tDESTINATION\t"
	}
	head += "AGE\tREASON"
	if payload {
		head += "\tPAYLOAD"
	}
	lines := make([]string, len(letters))
	for i, l := range letters {
		line := printable(l.MessageID) + "\t"
		switch {
		case isOutbox && l.EnvelopeCut:
			line += "?\t?\t" + envelopeCutNote + "\t"
		case isOutbox:
			line += printable(firstOf(l.Type, "-")) + "\t" + printable(firstOf(l.Entity, "-")) + "\t" + printable(firstOf(l.Destination, "-")) + "\t"
		default:
			line += printable(firstOf(l.Type, "-")) + "\t" + printable(firstOf(l.Entity, "-")) + "\t" + printable(firstOf(l.Service, "-")) + "\t" +
				printable(firstOf(l.FailedHost, "-")) + "\t" + printable(firstOf(l.FailedVersion, "-")) + "\t"
		}
		line += shownAge(l.AgeSeconds) + "\t" + printable(firstOf(l.Reason, "none given"))
		if payload {
			line += "\t" + l.shownPayload()
		}
		lines[i] = line
	}
	return writeTable(w, head, lines)
}
