package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// sqlDeadLetteredAt is the time sql redrive's --before and --after compare.
const sqlDeadLetteredAt = "compared with when the dead letter was written (its row's created_at, by the database's clock, to the second); " +
	"a duration counts back from the database's time, not this machine's"

const sqlRedriveSelectHelp = `--type, --reason, --before and --after redrive only some dead letters
(cqrs.RedriveOptions.Where, which sqlbus and outbox take), those that
match every one given: of message type --type (sf_type; for an outbox,
the type of the message inside the forwarder envelope), whose reason
(sf_failure) contains --reason, dead-lettered before --before and at or after --after
(RFC 3339, or a duration meaning that long ago, against the time the
dead letter's row was written, by the database's clock, to the second).
A duration counts back from the database's time, read once, not from
this machine's clock, so a clock off from the database's moves no dead
letter to the wrong side, and created_at is read right whatever the
session time zones of the services and of this command, but in a
PostgreSQL table of an earlier release, as sql depth says.
The others stay where they are, in their order, and the output says how
many moved and how many it left. A destination's consumers take an
entity's messages in order: a dead letter moved back goes behind the
entity's messages written meanwhile, and ahead of an earlier dead letter
of the entity left behind. Without --yes it counts those it would move.

Every redriven message counts one more redrive (sf_redrives) and when it
was (sf_redriven_at), so one that fails again shows it was redriven; an
outbox's dead letter counts them on its forwarder envelope's row.`

// redriveSelected moves back (with f.yes; else counts) the dead letters
// of the destination or the outbox name that f.sel selects, and says how
// many it moved and left.
func (c *sqlConn) redriveSelected(ctx context.Context, out, errOut io.Writer, f sqlRedriveFlags, name string, isOutbox bool) error {
	what := "sql redrive " + name
	if !f.yes {
		selected, left, err := c.countSelected(ctx, name, isOutbox, f.sel)
		if err != nil {
			return c.failure(what, err)
		}
		if selected+left == 0 {
			if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
				return c.failure(what, err)
			}
		}
		_, err = fmt.Fprintf(out, "%s%s of %s on %s would be moved back, %d left. Nothing moved: add --yes to move %s.\n",
			counted(selected, "dead letter", "dead letters"), f.sel.describe(), describe(name, isOutbox), c.target.where(), left,
			agree(selected, "it", "them"))
		return err
	}
	if err := c.knownTarget(ctx, name, isOutbox); err != nil {
		return err
	}
	left := 0
	keep := func(msg *message.Message, dead time.Time) bool {
		if c.selects(f.sel, name, isOutbox, msg, dead) {
			return true
		}
		left++
		return false
	}
	moved, err := c.redrive(ctx, name, isOutbox, cqrs.RedriveOptions{ResetHops: f.resetHops, Where: keep})
	fmt.Fprintf(out, "Moved %s%s back into %s; %d left.\n", counted(moved, "dead letter", "dead letters"), f.sel.describe(),
		kindName(name, isOutbox), left)
	if err != nil {
		return c.redriveFailure(what, targetFlag(name, isOutbox), moved, err)
	}
	return nil
}

// selects reports whether sel selects msg, a dead letter of the
// destination or the outbox name written at dead.
func (c *sqlConn) selects(sel redriveSelect, name string, isOutbox bool, msg *message.Message, dead time.Time) bool {
	dl := cqrs.DeadLetter{Destination: name, Message: msg, Reason: msg.Metadata.Get(sourceflow.MetaFailure)}
	l := decodeSQLLetter(dl, isOutbox, false)
	return sel.matches(l.Type, !l.EnvelopeCut, l.Reason, dead)
}

// countSelected counts the dead letters of the destination or the outbox
// name that sel selects, and the others, through the redrive --yes runs
// with a Where that moves none: both read the same rows whole, so the
// count is what --yes would move and leave, and a row that cannot be read
// fails both alike.
func (c *sqlConn) countSelected(ctx context.Context, name string, isOutbox bool, sel redriveSelect) (selected, left int, err error) {
	count := func(msg *message.Message, dead time.Time) bool {
		if c.selects(sel, name, isOutbox, msg, dead) {
			selected++
		} else {
			left++
		}
		return false
	}
	_, err = c.redrive(ctx, name, isOutbox, cqrs.RedriveOptions{Where: count})
	return selected, left, err
}
