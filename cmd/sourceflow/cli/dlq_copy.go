package cli

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	// copyVisibility hides the messages of one batch, in seconds, while
	// they are sent and deleted; after an interruption that could not
	// release them they are visible again after it.
	copyVisibility = 30
	// maxBatchBytes bounds a SendMessageBatch: 256 KiB, which every SQS
	// endpoint accepts.
	maxBatchBytes = 256 * 1024
	// maxHeldPolls is how many more receives follow an empty one while
	// the dead-letter queue still reports messages: held in flight by a
	// peek (for a second) or another reader, or counted late.
	maxHeldPolls = 3
	// settleTimeout bounds each call of copy. The calls run on a context
	// that an interruption does not cancel: a batch in hand is finished
	// (sent and deleted, or released), so an interrupted redrive holds no
	// message hidden for copyVisibility.
	settleTimeout = 20 * time.Second
)

// copier redrives by copy: it receives a batch from the dead-letter queue,
// sends it to the source queue, and deletes from the dead-letter queue only
// what was sent. An interruption at any point leaves every message in one
// queue or both, never in neither.
//
// A run ends at limit messages, or at the first message it sent to the
// source queue that comes back: a message the consumer fails again returns
// to the dead-letter queue either with the SQS id its send got (SQS keeps a
// message's id when its redrive policy moves it) or, dead-lettered by an
// awsbus consumer, as a new SQS message with the same message id
// (sf_id, or the packed Watermill UUID), or, for another producer's
// message without one, the same body and attributes; it is not moved again
// in the same run. A message matched that second way may also be a second
// copy the dead-letter queue held before the run: arrival tells them apart
// by SQS's own timestamps, and a message it cannot date is left in the
// dead-letter queue (undated) while the run goes on. The machine's clock is
// never compared, so one that differs from AWS's misclassifies nothing.
type copier struct {
	api      dlqSQS
	from, to sqsQueue
	pace     *pacer
	bar      *progress
	// limit is how many messages the run handles (moves, or fails to):
	// --max, else the dead-letter queue's depth at the start.
	limit int
	// sent holds what identifies the messages the run sent to the source
	// queue: a message received with one of them came back.
	sent sentIDs
	// hidden are received messages that stay in the dead-letter queue
	// (failed, kept back or not deleted); run makes them visible again when
	// it ends, so that a re-run finds them at once.
	hidden []sqstypes.Message
	// blocked are the FIFO message groups with a message left in the
	// dead-letter queue: no later message of theirs is sent in this run.
	blocked map[string]bool
	// left are the SQS ids of the messages the run leaves in the
	// dead-letter queue (failed, kept back or not deleted). A run that
	// outlasts copyVisibility receives them again: they are hidden again,
	// neither sent nor counted a second time.
	left map[string]bool
	// arrival dates the messages that share what identifies a message the
	// run sent, but not its SQS id.
	arrival arrival
	// sel, when it selects (--type, --reason, --before, --after), is what
	// the run sends; it releases the others at once (see skipOthers),
	// whose SQS ids are in skipped.
	sel     redriveSelect
	skipped map[string]bool
	// inHand is what the copy read of the received batch in hand, by SQS
	// id (see received): a message's sf_env is decoded once to select
	// and to identify it.
	inHand map[string]*inHand
	// resetHops (--reset-hops) removes each message's hop count.
	resetHops bool
}

// redriveResult counts what a redrive did.
type redriveResult struct {
	// moved messages are in the source queue; undeleted of them are in the
	// dead-letter queue too.
	moved, undeleted int
	// unsent messages failed to send and stay in the dead-letter queue.
	unsent int
	// kept are FIFO messages not sent because an earlier message of their
	// group failed: they stay in the dead-letter queue, in order.
	kept int
	// returned counts the received messages the run had sent to the
	// source queue: they came back.
	returned int
	// undated are received messages that share what identifies a message
	// the run sent, but not its SQS id, and that SQS's timestamps do not
	// date (see arrival): a second copy or one that came back, they stay
	// in the dead-letter queue.
	undated int
	// packed of the moved messages went back with some of their own
	// attributes still packed in sf_env (see redriveAttributes).
	packed int
	// held is the dead-letter queue's depth when the copy ended empty-handed,
	// less what the run itself holds: messages another reader holds.
	held int64
	// behind is true when held may count FIFO messages of a group the run
	// blocked: SQS returns none of a group while one of its messages is
	// hidden, and the run hides its failed message until it ends.
	behind bool
	// skipped are messages of another type than --type: they stay in the
	// dead-letter queue, visible again.
	skipped int
	// errs are the entry failures, one per cause.
	errs []error
}

// handled is how many messages count toward the limit.
func (r redriveResult) handled() int { return r.moved + r.unsent + r.kept + r.undated + r.skipped }

// run copies until limit messages are handled, a message sent after the
// start arrives, the dead-letter queue is empty, a call fails or ctx ends.
func (c *copier) run(ctx context.Context) (res redriveResult, err error) {
	defer func() { c.release(ctx, c.hidden) }()
	empties := 0
	for res.handled() < c.limit {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		msgs, err := c.receive(ctx, min(c.pace.batch(10), c.limit-res.handled()))
		if err != nil {
			return res, err
		}
		if len(msgs) == 0 {
			if empties == maxHeldPolls || !c.heldBack(ctx, &res) {
				return res, nil
			}
			empties++
			continue
		}
		empties = 0
		msgs = c.dropSkipped(ctx, msgs, len(msgs) == min(c.pace.batch(10), c.limit-res.handled()))
		if done, err := c.step(ctx, msgs, &res); done || err != nil {
			return res, err
		}
	}
	return res, nil
}

// step moves the received msgs, at the pace's rate, up to the first that
// came back, and reports whether one came back, which ends the run.
func (c *copier) step(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) (bool, error) {
	defer clear(c.inHand)
	c.arrival.observe(msgs)
	if msgs = c.dropLeft(msgs); len(msgs) == 0 {
		return false, nil
	}
	msgs, late := c.splitLate(msgs, res)
	if msgs = c.skipOthers(ctx, msgs, res); len(msgs) == 0 {
		return len(late) > 0, nil
	}
	if err := c.pace.wait(ctx, len(msgs)); err != nil {
		c.hidden = append(c.hidden, msgs...)
		return true, err
	}
	return len(late) > 0, c.moveBatch(ctx, msgs, res)
}

// dropLeft hides again the messages of msgs that the run already left in
// the dead-letter queue, and returns the others.
func (c *copier) dropLeft(msgs []sqstypes.Message) []sqstypes.Message {
	out := msgs[:0:0]
	for _, m := range msgs {
		if c.left[aws.ToString(m.MessageId)] {
			c.hidden = append(c.hidden, m)
			continue
		}
		out = append(out, m)
	}
	return out
}

// leave leaves msgs in the dead-letter queue for the rest of the run.
func (c *copier) leave(msgs ...sqstypes.Message) {
	c.hidden = append(c.hidden, msgs...)
	for _, m := range msgs {
		c.left[aws.ToString(m.MessageId)] = true
	}
}

// splitLate returns msgs up to the first message the run sent that came
// back, less the undated ones, which it keeps in the dead-letter queue, and
// releases that message and the ones after it at once.
func (c *copier) splitLate(msgs []sqstypes.Message, res *redriveResult) (early, late []sqstypes.Message) {
	early = msgs[:0:0]
	for i, m := range msgs {
		back, undated := c.cameBack(m)
		switch {
		case back:
			for _, l := range msgs[i:] {
				if again, _ := c.cameBack(l); again {
					res.returned++
				}
			}
			c.hidden = append(c.hidden, msgs[i:]...)
			return early, msgs[i:]
		case undated:
			res.undated++
			c.keep(m) // on FIFO, the later messages of its group stay behind it
		default:
			early = append(early, m)
		}
	}
	return early, nil
}

// cameBack reports whether m is a message the run sent to the source
// queue that came back: with the SQS id its send got, or with what
// identifies it when arrival dates m after the run began. undated reports
// a message with what identifies one the run sent that arrival cannot
// date; one it dates before the run's first send is a dead letter to move.
func (c *copier) cameBack(m sqstypes.Message) (back, undated bool) {
	switch {
	case c.sent.hasSQS(m):
		return true, false
	case !c.sent.hasMessage(c.key(m)):
		return false, false
	}
	switch c.arrival.date(m) {
	case arrivedAfter:
		return true, false
	case arrivedBefore:
		return false, false
	}
	return false, true
}

// heldBack reports whether the dead-letter queue, which just answered
// empty, still reports messages besides those the run holds, and records
// how many in res.held.
func (c *copier) heldBack(ctx context.Context, res *redriveResult) bool {
	ctx, cancel := settle(ctx)
	defer cancel()
	q, err := resolveQueue(ctx, c.api, c.from.name)
	if err != nil {
		return false
	}
	res.held = max(0, q.visible+q.inFlight-int64(c.holding()))
	res.behind = len(c.blocked) > 0
	return res.held > 0
}

// holding is how many distinct messages the run holds hidden: one
// received again has a receipt handle in hidden per receive.
func (c *copier) holding() int {
	ids := make(map[string]bool, len(c.hidden))
	for _, m := range c.hidden {
		ids[aws.ToString(m.MessageId)] = true
	}
	return len(ids)
}

// receive receives up to n messages from the dead-letter queue.
func (c *copier) receive(ctx context.Context, n int) ([]sqstypes.Message, error) {
	ctx, cancel := settle(ctx)
	defer cancel()
	return receiveLetters(ctx, c.api, c.from.url, n, copyVisibility)
}

// settle returns the context of one call: bounded by settleTimeout, not
// cancelled with ctx.
func settle(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// release makes held messages visible again, on a context that outlives an
// interruption, each once, by the receipt handle of its latest receive (a
// message received again since has one per receive in msgs, the latest
// last). Failures are ignored: the messages then reappear after
// copyVisibility.
func (c *copier) release(ctx context.Context, msgs []sqstypes.Message) {
	ctx, cancel := settle(ctx)
	defer cancel()
	released := make(map[string]bool, len(msgs))
	for _, m := range slices.Backward(msgs) {
		id := aws.ToString(m.MessageId)
		if released[id] {
			continue
		}
		released[id] = true
		_, err := c.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(c.from.url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
		})
		if errors.Is(err, context.DeadlineExceeded) {
			return
		}
	}
}
