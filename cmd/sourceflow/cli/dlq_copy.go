package cli

import (
	"context"
	"errors"
	"fmt"
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
type copier struct {
	api      dlqSQS
	from, to sqsQueue
	pace     *pacer
	bar      *progress
	// max stops after max messages; 0 moves all.
	max int
}

// redriveResult counts what a redrive did.
type redriveResult struct {
	// moved messages are in the source queue; undeleted of them are in the
	// dead-letter queue too.
	moved, undeleted int
	// unsent messages failed to send and stay in the dead-letter queue.
	unsent int
	// held is the dead-letter queue's depth when the copy ended empty-handed:
	// messages another reader holds, or that failed and are hidden.
	held int64
	// errs are the entry failures, one per cause.
	errs []error
}

// run copies until the dead-letter queue is empty, max messages moved, a
// call fails or ctx ends.
func (c *copier) run(ctx context.Context) (redriveResult, error) {
	var res redriveResult
	empties := 0
	for c.max == 0 || res.moved < c.max {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		want := c.pace.batch(10)
		if c.max > 0 {
			want = min(want, c.max-res.moved)
		}
		msgs, err := c.receive(ctx, want)
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
		if err := c.pace.wait(ctx, len(msgs)); err != nil {
			c.release(ctx, msgs)
			return res, err
		}
		if err := c.moveBatch(ctx, msgs, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// heldBack reports whether the dead-letter queue, which just answered
// empty, still reports messages, and records how many in res.held.
func (c *copier) heldBack(ctx context.Context, res *redriveResult) bool {
	ctx, cancel := settle(ctx)
	defer cancel()
	q, err := resolveQueue(ctx, c.api, c.from.name)
	if err != nil {
		return false
	}
	res.held = q.visible + q.inFlight
	return res.held > 0
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

// moveBatch sends msgs to the source queue and deletes what was sent. When
// a call fails the messages it left behind are released at once, so a
// re-run finds them without waiting for their visibility timeout.
func (c *copier) moveBatch(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) error {
	ctx, cancel := settle(ctx)
	defer cancel()
	sent, err := c.send(ctx, msgs, res)
	if err != nil {
		c.release(ctx, msgs)
		return err
	}
	res.moved += len(sent)
	c.bar.add(len(sent))
	if len(sent) == 0 {
		return nil
	}
	if err := c.delete(ctx, sent, res); err != nil {
		res.undeleted += len(sent)
		c.release(ctx, sent)
		return fmt.Errorf("delete %d sent messages from %s (they are in both queues; the consumer's idempotency "+
			"absorbs the duplicates): %w", len(sent), c.from.name, err)
	}
	return nil
}

// send sends msgs to the source queue in batches of at most maxBatchBytes
// and returns the messages sent. Entries that fail are counted in res and
// stay in the dead-letter queue.
func (c *copier) send(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) ([]sqstypes.Message, error) {
	var sent []sqstypes.Message
	for len(msgs) > 0 {
		entries, size := []sqstypes.SendMessageBatchRequestEntry{}, 0
		for i, m := range msgs {
			e := redriveEntry(entryID(i), m, c.to.fifo)
			if len(entries) > 0 && size+entrySize(e) > maxBatchBytes {
				break
			}
			entries, size = append(entries, e), size+entrySize(e)
		}
		batch := msgs[:len(entries)]
		msgs = msgs[len(entries):]
		out, err := c.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(c.to.url), Entries: entries})
		if err != nil {
			return sent, fmt.Errorf("send %d messages to %s: %w", len(entries), c.to.name, err)
		}
		failed := failedEntries(out.Failed, res, "send to "+c.to.name)
		for i, m := range batch {
			if !failed[entryID(i)] {
				sent = append(sent, m)
			}
		}
		res.unsent += len(failed)
	}
	return sent, nil
}

// delete deletes msgs from the dead-letter queue.
func (c *copier) delete(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) error {
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(entryID(i)), ReceiptHandle: m.ReceiptHandle}
	}
	out, err := c.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(c.from.url), Entries: entries})
	if err != nil {
		return err
	}
	res.undeleted += len(failedEntries(out.Failed, res, "delete from "+c.from.name))
	return nil
}

// failedEntries returns the ids of failed batch entries and records each
// distinct cause in res.
func failedEntries(failed []sqstypes.BatchResultErrorEntry, res *redriveResult, what string) map[string]bool {
	ids := map[string]bool{}
	for _, f := range failed {
		ids[aws.ToString(f.Id)] = true
		err := fmt.Errorf("%s: %s: %s", what, aws.ToString(f.Code), aws.ToString(f.Message))
		if !containsError(res.errs, err) {
			res.errs = append(res.errs, err)
		}
	}
	return ids
}

func containsError(errs []error, err error) bool {
	for _, e := range errs {
		if e.Error() == err.Error() {
			return true
		}
	}
	return false
}

// release makes held messages visible again, on a context that outlives an
// interruption. Failures are ignored: the messages then reappear after
// copyVisibility.
func (c *copier) release(ctx context.Context, msgs []sqstypes.Message) {
	ctx, cancel := settle(ctx)
	defer cancel()
	for _, m := range msgs {
		_, err := c.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(c.from.url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
		})
		if errors.Is(err, context.DeadlineExceeded) {
			return
		}
	}
}
