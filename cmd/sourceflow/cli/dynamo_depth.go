package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// dynamoDepth is one shard of dynamo depth, as printed with --output json.
type dynamoDepth struct {
	Shard       int   `json:"shard"`
	Waiting     int64 `json:"waiting"`
	DeadLetters int64 `json:"dead_letters"`
	// OldestWaitingSeconds is, for a shard with messages waiting, how long
	// ago the oldest of them was written into the outbox.
	OldestWaitingSeconds *int64 `json:"oldest_waiting_seconds,omitempty"`
}

type dynamoDepthFlags struct {
	dynamoFlags
	output string
}

func newDynamoDepthCommand(g *globals) *cobra.Command {
	var f dynamoDepthFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "depth --table-prefix P --outbox NAME",
		Short: "Show the messages a DynamoDB outbox has yet to relay, per shard, and its dead letters",
		Long: `depth prints, for each shard of the outbox (Outbox.Depths), how many messages
wait to be relayed, how long ago the oldest of them was written (OLDEST
WAITING, by the writing instance's clock: a relay that is stuck has it
grow past the outbox's RelayAfter, one that is only slow keeps it short),
and how many dead letters the shard has; then the totals. It reads every
item of the outbox's partitions, and only reads.`,
		Example: "  sourceflow dynamo depth --table-prefix sourceflow_ --outbox payments\n" +
			"  sourceflow dynamo depth --table-prefix sourceflow_ --outbox payments -o json",
	}, &f, g.runDynamoDepth)
	addDynamoFlags(cmd, &f.dynamoFlags)
	addOutputFlag(cmd, &f.output)
	return cmd
}

func (g *globals) runDynamoDepth(cmd *cobra.Command, f dynamoDepthFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	return g.runDynamo(cmd, f.dynamoFlags, func(ctx context.Context, c *dynamoConn) error {
		got, err := c.outbox.Depths(ctx)
		if err != nil {
			return c.failure("dynamo depth "+printable(f.outbox), err)
		}
		rows := dynamoDepths(got, time.Now())
		if err := printDynamoDepths(cmd.OutOrStdout(), f, c, rows); err != nil {
			return err
		}
		if !slices.ContainsFunc(rows, func(r dynamoDepth) bool { return r.Waiting > 0 || r.DeadLetters > 0 }) {
			c.noteEmpty(ctx, cmd.ErrOrStderr())
		}
		return nil
	})
}

// dynamoDepths is got as dynamo depth prints it, the ages as of now.
func dynamoDepths(got []dynamostore.OutboxShardDepth, now time.Time) []dynamoDepth {
	rows := make([]dynamoDepth, len(got))
	for i, d := range got {
		rows[i] = dynamoDepth{Shard: d.Shard, Waiting: d.Waiting, DeadLetters: d.DeadLetters}
		if d.Waiting > 0 && !d.Oldest.IsZero() {
			rows[i].OldestWaitingSeconds = ageSeconds(sqldb.Written{At: d.Oldest, Now: now})
		}
	}
	return rows
}

func printDynamoDepths(w io.Writer, f dynamoDepthFlags, c *dynamoConn, rows []dynamoDepth) error {
	if f.output == outputJSON {
		return writeJSON(w, struct {
			Outbox string        `json:"outbox"`
			Depths []dynamoDepth `json:"depths"`
		}{f.outbox, rows})
	}
	lines := make([]string, len(rows))
	var waiting, dead int64
	var oldest *int64
	for i, r := range rows {
		waiting, dead = waiting+r.Waiting, dead+r.DeadLetters
		if r.OldestWaitingSeconds != nil && (oldest == nil || *r.OldestWaitingSeconds > *oldest) {
			oldest = r.OldestWaitingSeconds
		}
		lines[i] = fmt.Sprintf("%s\t%d\t%d\t%s", strconv.Itoa(r.Shard), r.Waiting, r.DeadLetters, shownAge(r.OldestWaitingSeconds))
	}
	if err := writeTable(w, "SHARD\tWAITING\tDEAD LETTERS\tOLDEST WAITING", lines); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "Outbox %s in %s: %s waiting (the oldest %s), %s.\n", printable(f.outbox), c.where(),
		counted(waiting, "message", "messages"), shownAge(oldest), counted(dead, "dead letter", "dead letters"))
	return err
}
