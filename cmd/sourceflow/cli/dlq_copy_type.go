package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// skipOthers returns the messages of msgs the run's selection selects
// (--type, --reason, --before, --after; all without one). It makes the others visible again at once, counted in res
// and marked left and skipped (see dropSkipped). Released at once, a FIFO
// message not selected is received again with the later messages of
// its group, so a selected message behind it is reached.
func (c *copier) skipOthers(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) []sqstypes.Message {
	if !c.sel.any() {
		return msgs
	}
	var out, others []sqstypes.Message
	for _, m := range msgs {
		if d := c.received(m).letter; c.sel.matches(d.typ, true, d.reason, d.queued) {
			out = append(out, m)
			continue
		}
		res.skipped++
		c.left[aws.ToString(m.MessageId)] = true
		c.skipped[aws.ToString(m.MessageId)] = true
		others = append(others, m)
	}
	c.release(ctx, others)
	return out
}

// dropSkipped returns msgs less the messages skipOthers released before.
// When msgs holds a message the run has not left, it releases them again,
// for the same reason as skipOthers. Otherwise it holds them hidden until
// the run ends (dropLeft), so that the next receive reaches others; on a
// FIFO queue, a full receive of more than one group has its last group
// released instead when all of it was skipped: the receive may have cut
// off a later message of it.
func (c *copier) dropSkipped(ctx context.Context, msgs []sqstypes.Message, full bool) []sqstypes.Message {
	var rest, again []sqstypes.Message
	anyNew := false
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		anyNew = anyNew || !c.left[id]
		if c.skipped[id] {
			again = append(again, m)
			continue
		}
		rest = append(rest, m)
	}
	switch {
	case len(again) == 0:
		return msgs
	case anyNew:
		c.release(ctx, again)
		return rest
	}
	if last := messageGroup(msgs[len(msgs)-1]); c.from.fifo && full && messageGroup(msgs[0]) != last {
		held, of := splitGroup(again, last)
		if len(of) == len(filterGroup(msgs, last)) {
			c.release(ctx, of)
			again = held
		}
	}
	c.hidden = append(c.hidden, again...)
	return rest
}

// filterGroup returns the messages of msgs of group.
func filterGroup(msgs []sqstypes.Message, group string) []sqstypes.Message {
	_, of := splitGroup(msgs, group)
	return of
}
