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

// moveBatch sends msgs to the source queue and deletes what was sent, also
// when a later send failed. What stays in the dead-letter queue is left
// to run, which makes it visible again when the run ends.
func (c *copier) moveBatch(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) error {
	ctx, cancel := settle(ctx)
	defer cancel()
	sent, sendErr := c.send(ctx, msgs, res)
	res.moved += len(sent)
	c.bar.add(len(sent))
	if len(sent) == 0 {
		return sendErr
	}
	if err := c.delete(ctx, sent, res); err != nil {
		res.undeleted += len(sent)
		c.leave(sent...)
		return errors.Join(sendErr, fmt.Errorf("delete %s from %s (%s in both queues; the "+
			"consumer's idempotency absorbs the duplicates): %w", counted(len(sent), "sent message", "sent messages"),
			c.from.name, agree(len(sent), "it is", "they are"), err))
	}
	return sendErr
}

// send sends msgs to the source queue in batches (see nextBatch) and
// returns the messages sent: those SQS lists as successful. The other
// entries are counted in res and stay in the dead-letter queue; on FIFO so
// do the later messages of their group.
func (c *copier) send(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) ([]sqstypes.Message, error) {
	var sent []sqstypes.Message
	for {
		msgs = c.dropBlocked(msgs, res)
		if len(msgs) == 0 {
			return sent, nil
		}
		entries, packed := c.nextBatch(msgs, time.Now())
		batch := msgs[:len(entries)]
		msgs = msgs[len(entries):]
		c.arrival.close()
		out, err := c.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(c.to.url), Entries: entries})
		if err != nil {
			c.leave(batch...)
			c.leave(msgs...)
			return sent, fmt.Errorf("send %s to %s: %w", counted(len(entries), "message", "messages"), c.to.name, err)
		}
		ok := sentEntries(out, len(batch), res, "send to "+c.to.name)
		c.sent.addSQS(out.Successful)
		for i, m := range batch {
			if ok[entryID(i)] {
				c.sent.addMessage(c.key(m))
				sent = append(sent, m)
				if packed[i] {
					res.packed++
				}
				continue
			}
			res.unsent++
			c.keep(m)
		}
	}
}

// errNoResult is the cause of a batch entry that the answer lists
// neither as successful nor as failed.
var errNoResult = errors.New("no result for the entry")

// sentEntries returns the ids of the entries of a SendMessageBatch of n
// entries that the answer lists as successful, and records in res the
// cause of every other one: a failure, or no result at all. An entry
// counts as sent only when SQS says so, so a message is never deleted from
// the dead-letter queue on the strength of a missing answer.
func sentEntries(out *sqs.SendMessageBatchOutput, n int, res *redriveResult, what string) map[string]bool {
	ids := make([]string, len(out.Successful))
	for i, e := range out.Successful {
		ids[i] = aws.ToString(e.Id)
	}
	return answeredEntries(ids, out.Failed, n, res, what)
}

// deletedEntries is sentEntries for a DeleteMessageBatch: an entry counts
// as deleted only when SQS says so, so a message that may still be in the
// dead-letter queue is never reported gone.
func deletedEntries(out *sqs.DeleteMessageBatchOutput, n int, res *redriveResult, what string) map[string]bool {
	ids := make([]string, len(out.Successful))
	for i, e := range out.Successful {
		ids[i] = aws.ToString(e.Id)
	}
	return answeredEntries(ids, out.Failed, n, res, what)
}

// answeredEntries returns the ids of successful, of a batch of n entries,
// and records in res the cause of every other entry: its failure, or no
// result at all.
func answeredEntries(successful []string, failed []sqstypes.BatchResultErrorEntry, n int, res *redriveResult, what string) map[string]bool {
	refused := failedEntries(failed, res, what)
	ok := make(map[string]bool, len(successful))
	for _, id := range successful {
		ok[id] = true
	}
	for i := range n {
		if id := entryID(i); !ok[id] && !refused[id] {
			addError(res, fmt.Errorf("%s: %w", what, errNoResult))
		}
	}
	return ok
}

// keep leaves m in the dead-letter queue; on FIFO it blocks m's group for
// the rest of the run, so that no later message overtakes it.
func (c *copier) keep(m sqstypes.Message) {
	c.leave(m)
	if c.to.fifo {
		c.blocked[messageGroup(m)] = true
	}
}

// dropBlocked keeps the messages of blocked groups and returns the others.
func (c *copier) dropBlocked(msgs []sqstypes.Message, res *redriveResult) []sqstypes.Message {
	out := msgs[:0:0]
	for _, m := range msgs {
		if c.to.fifo && c.blocked[messageGroup(m)] {
			res.kept++
			c.leave(m)
			continue
		}
		out = append(out, m)
	}
	return out
}

// nextBatch returns the entries of the next SendMessageBatch, built at
// now (see redriveEntry; packed says which stay packed), for the first
// messages of msgs, in their order: at most maxBatchBytes and, on FIFO,
// one message per group, so that a failed entry never has a later message
// of its group sent beside it.
func (c *copier) nextBatch(msgs []sqstypes.Message, now time.Time) (entries []sqstypes.SendMessageBatchRequestEntry, packed []bool) {
	size, groups := 0, map[string]bool{}
	for i, m := range msgs {
		e, p := redriveEntry(entryID(i), m, c.to.fifo, c.resetHops, now)
		n := entrySize(e)
		if (i > 0 && size+n > maxBatchBytes) || (c.to.fifo && groups[messageGroup(m)]) {
			return entries, packed
		}
		size += n
		groups[messageGroup(m)] = true
		entries, packed = append(entries, e), append(packed, p)
	}
	return entries, packed
}

// delete deletes msgs from the dead-letter queue; the entries that SQS
// does not list as deleted are counted in res and kept.
func (c *copier) delete(ctx context.Context, msgs []sqstypes.Message, res *redriveResult) error {
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(entryID(i)), ReceiptHandle: m.ReceiptHandle}
	}
	out, err := c.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(c.from.url), Entries: entries})
	if err != nil {
		return err
	}
	deleted := deletedEntries(out, len(msgs), res, "delete from "+c.from.name)
	for i, m := range msgs {
		if !deleted[entryID(i)] {
			res.undeleted++
			c.leave(m)
		}
	}
	return nil
}

// failedEntries returns the ids of failed batch entries and records each
// distinct cause in res.
func failedEntries(failed []sqstypes.BatchResultErrorEntry, res *redriveResult, what string) map[string]bool {
	ids := map[string]bool{}
	for _, f := range failed {
		ids[aws.ToString(f.Id)] = true
		addError(res, fmt.Errorf("%s: %s: %s", what, aws.ToString(f.Code), aws.ToString(f.Message)))
	}
	return ids
}

// addError records err in res unless an error of the same text is there.
func addError(res *redriveResult, err error) {
	if !containsError(res.errs, err) {
		res.errs = append(res.errs, err)
	}
}

func containsError(errs []error, err error) bool {
	for _, e := range errs {
		if e.Error() == err.Error() {
			return true
		}
	}
	return false
}
