package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

type dynamoLettersFlags struct {
	dynamoFlags
	output  string
	max     int
	summary bool
}

// dynamoLetter is one dead letter as dynamo dead-letters prints it with
// --output json: as sql dead-letters does an outbox's, with when it was
// written into the outbox and how long ago.
type dynamoLetter struct {
	sqlLetter
	Written    *time.Time `json:"written,omitempty"`
	AgeSeconds *int64     `json:"age_seconds,omitempty"`
}

func newDynamoDeadLettersCommand(g *globals) *cobra.Command {
	var f dynamoLettersFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "dead-letters --table-prefix P --outbox NAME [--max N] [--summary]",
		Short: "List the dead letters of a DynamoDB outbox, with their reasons",
		Long: `dead-letters prints one line per dead letter of the outbox (Outbox.DeadLetters),
oldest first, up to --max of them (10 by default), and says "at least"
when there are more than it shows: the message id (sf_message_id, else the
message's UUID), the type (sf_type), the destination the outbox was to
relay it to, the reason it was dead-lettered, and the age: how long ago the
message was written into the outbox (by the writing instance's clock).
Control characters in what it prints are escaped (\x1b, \n); with -o json
the characters a terminal would act on are \u escapes. It reads only.

--summary counts the dead letters instead (up to 100,000, read without
their payloads: past that, "at least"), by type and by reason, the most frequent first, each reason by
its first line with the message's id, its entity and any other UUID
marked, as sql dead-letters --summary does. With -o json it prints
{"name", "kind", "dead_letters", "at_least", "by_type", "by_reason"}.`,
		Example: "  sourceflow dynamo dead-letters --table-prefix sourceflow_ --outbox payments\n" +
			"  sourceflow dynamo dead-letters --table-prefix sourceflow_ --outbox payments --summary -o json",
	}, &f, g.runDynamoDeadLetters)
	addDynamoFlags(cmd, &f.dynamoFlags)
	addDeadLetterFlags(cmd, &f.max, &f.summary, &f.output)
	return cmd
}

func (g *globals) runDynamoDeadLetters(cmd *cobra.Command, f dynamoLettersFlags) error {
	if err := checkDeadLetterFlags(f.output, f.max); err != nil {
		return err
	}
	if f.summary && cmd.Flags().Changed("max") {
		return &ExitError{Code: ExitUsage, Err: errors.New("--summary counts every dead letter: leave out --max")}
	}
	return g.runDynamo(cmd, f.dynamoFlags, func(ctx context.Context, c *dynamoConn) error {
		if f.summary {
			return c.summarize(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		}
		return c.list(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
	})
}

// readLetters reads up to max dead letters of the outbox, and whether
// there are more (it asks for one more than max).
func (c *dynamoConn) readLetters(ctx context.Context, max int) ([]dynamoLetter, bool, error) {
	dead, err := c.outbox.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: max + 1})
	if err != nil {
		return nil, false, err
	}
	more := len(dead) > max
	dead = dead[:min(len(dead), max)]
	now := time.Now()
	letters := make([]dynamoLetter, len(dead))
	for i, dl := range dead {
		l := dynamoLetter{sqlLetter: decodeSQLLetter(cqrs.DeadLetter{Message: dl.Message, Reason: dl.Reason}, false, false)}
		l.Destination = dl.Destination
		if !dl.Written.IsZero() {
			l.Written = &dl.Written
			l.AgeSeconds = ageSeconds(sqldb.Written{At: dl.Written, Now: now})
		}
		letters[i] = l
	}
	return letters, more, nil
}

// list prints the dead letters as f asks.
func (c *dynamoConn) list(ctx context.Context, out, errOut io.Writer, f dynamoLettersFlags) error {
	letters, more, err := c.readLetters(ctx, f.max)
	if err != nil {
		return c.failure("dynamo dead-letters "+printable(f.outbox), err)
	}
	if len(letters) == 0 {
		defer c.noteIfEmpty(ctx, errOut)
	}
	if f.output == outputJSON {
		if more {
			fmt.Fprintf(errOut, "note: more dead letters not shown: the oldest %d are (raise --max)\n", len(letters))
		}
		return writeJSON(out, append([]dynamoLetter{}, letters...))
	}
	n, cut := int64(len(letters)), ""
	if more {
		n, cut = n+1, fmt.Sprintf("; the oldest %d shown (raise --max)", len(letters))
	}
	fmt.Fprintf(out, "%s%s of outbox %s in %s%s.\n", atLeastWord(more), counted(n, "dead letter", "dead letters"),
		printable(f.outbox), c.where(), cut)
	if len(letters) == 0 {
		return nil
	}
	lines := make([]string, len(letters))
	for i, l := range letters {
		lines[i] = printable(l.MessageID) + "\t" + printable(firstOf(l.Type, "-")) + "\t" + printable(firstOf(l.Destination, "-")) +
			"\t" + printable(firstOf(l.Reason, "none given")) + "\t" + shownAge(l.AgeSeconds)
	}
	return writeTable(out, "MESSAGE ID\tTYPE\tDESTINATION\tREASON\tAGE", lines)
}

// summarize prints the counts of the dead letters by type and by reason,
// up to maxScannedLetters of them, read without their payloads.
func (c *dynamoConn) summarize(ctx context.Context, out, errOut io.Writer, f dynamoLettersFlags) error {
	t, err := c.tallyDeadLetters(ctx)
	if err != nil {
		return c.failure("dynamo dead-letters "+printable(f.outbox), err)
	}
	if t.total == 0 {
		defer c.noteIfEmpty(ctx, errOut)
	}
	s := tallySummary(f.outbox, "outbox", t, t.atLeast)
	if f.output == outputJSON {
		return writeJSON(out, s)
	}
	return printLetterSummary(out, s, "outbox "+printable(f.outbox), c.where())
}
