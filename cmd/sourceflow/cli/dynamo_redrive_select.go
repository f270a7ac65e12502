package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// dynamoDeadLetteredAt is the time dynamo redrive's --before and --after
// compare.
const dynamoDeadLetteredAt = "compared with when the message was written into the outbox, by the writing instance's clock " +
	"(DynamoDB keeps no time of the dead-lettering); a duration counts back from this machine's clock"

const dynamoRedriveSelectHelp = `--type, --reason, --before and --after redrive only some dead letters
(OutboxRedriveOptions.Where), those that match every one given: of message type
--type (sf_type), whose reason contains --reason, and written before
--before and at or after --after (RFC 3339, or a duration meaning that
long ago). The outbox keeps no time of the dead-lettering: the times are
compared with when the message was written into the outbox (the AGE of
dead-letters), by the writing instance's clock, a duration counting back
from this machine's clock; the sweep dead-letters a
message after its relay attempts, shortly after. The others stay where
they are, and the output says how many it redrove and how many it left;
without --yes it counts those it would redrive.

Every redriven message counts one more redrive (sf_redrives) and when it
was (sf_redriven_at), which the sweep relays with it, so one that fails
again shows it was redriven; a message an earlier version wrote so close
to DynamoDB's item limit that the count does not fit goes back without it.`

// redriveSelected redrives (with f.yes; else counts) the dead letters of
// the outbox that f.sel selects, and says how many it redrove and left.
func (c *dynamoConn) redriveSelected(ctx context.Context, cmd *cobra.Command, f dynamoRedriveFlags) error {
	what := "dynamo redrive " + printable(f.outbox)
	f.sel.timed = "written"
	selected, left := 0, 0
	keep := func(dl dynamostore.OutboxDeadLetter) bool {
		if f.sel.matches(dl.Message.Metadata.Get(sourceflow.MetaType), true, dl.Reason, dl.Written) {
			selected++
			return f.yes
		}
		left++
		return false
	}
	moved, err := c.outbox.RedriveWith(ctx, dynamostore.OutboxRedriveOptions{ResetHops: f.resetHops, Where: keep})
	out := cmd.OutOrStdout()
	if !f.yes && err == nil {
		_, err = fmt.Fprintf(out, "%s%s of outbox %s in %s would be redriven, %d left. Nothing moved: add --yes to redrive %s.\n",
			counted(selected, "dead letter", "dead letters"), f.sel.describe(), printable(f.outbox), c.where(), left,
			agree(selected, "it", "them"))
		return err
	}
	fmt.Fprintf(out, "Redrove %s%s of outbox %s; %d left.\n", counted(moved, "dead letter", "dead letters"), f.sel.describe(),
		printable(f.outbox), left)
	if err != nil {
		return c.failure(fmt.Sprintf("%s: redrove %d, then stopped", what, moved), err)
	}
	return nil
}
