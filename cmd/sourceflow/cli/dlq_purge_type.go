package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// typePurger deletes the messages of one type (sf_type) from a dead-letter
// queue and makes the others visible again at once. It reads each message
// the queue held when it began once, up to limit. A receive that brings
// only messages it read holds them hidden until it ends, so that the next
// receive reaches others; on a FIFO queue it releases the last group of a
// full such receive instead, whose later messages the receive may have cut
// off (SQS hands out none of a group while one of its messages is hidden).
type typePurger struct {
	api   dlqSQS
	q     sqsQueue
	typ   string
	limit int
	// seen are the SQS ids of the messages read; held those kept hidden
	// until the end, in hidden.
	seen, held map[string]bool
	hidden     []sqstypes.Message
}

// typePurgeResult counts what a purge by type did.
type typePurgeResult struct {
	read, deleted int
	// kept counts the messages read that stay, by type.
	kept map[string]int64
	// errs are the failed delete entries, one per cause.
	errs []error
}

func newTypePurger(api dlqSQS, q sqsQueue, typ string, limit int) *typePurger {
	return &typePurger{api: api, q: q, typ: typ, limit: limit, seen: map[string]bool{}, held: map[string]bool{}}
}

// run reads until limit messages are read, a receive brings none (or only
// messages it already held), a call fails or ctx ends.
func (p *typePurger) run(ctx context.Context) (res typePurgeResult, err error) {
	res.kept = map[string]int64{}
	defer func() { p.release(ctx, p.hidden) }()
	for res.read < p.limit {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		msgs, err := p.receive(ctx)
		if err != nil || len(msgs) == 0 {
			return res, err
		}
		fresh, again := p.split(msgs, &res)
		if len(fresh) == 0 {
			if !p.hold(ctx, again, len(msgs) == 10) {
				return res, nil
			}
			continue
		}
		if err := p.step(ctx, fresh, again, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// receive receives up to 10 messages on a context that an interruption
// does not cancel (see settle): messages SQS hands out to a receive cut
// short would stay hidden for copyVisibility, unseen by the run.
func (p *typePurger) receive(ctx context.Context) ([]sqstypes.Message, error) {
	ctx, cancel := settle(ctx)
	defer cancel()
	return receiveLetters(ctx, p.api, p.q.url, 10, copyVisibility)
}

// split returns the messages of msgs not read before, up to the limit, and
// the others, and marks the former read.
func (p *typePurger) split(msgs []sqstypes.Message, res *typePurgeResult) (fresh, again []sqstypes.Message) {
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		if p.seen[id] || res.read == p.limit {
			again = append(again, m)
			continue
		}
		p.seen[id] = true
		res.read++
		fresh = append(fresh, m)
	}
	return fresh, again
}

// step deletes the messages of fresh of the type and releases the others
// and again. A failed delete releases its messages too.
func (p *typePurger) step(ctx context.Context, fresh, again []sqstypes.Message, res *typePurgeResult) error {
	var doomed []sqstypes.Message
	for _, m := range fresh {
		if typ := decodeLetter(m).typ; typ != p.typ {
			res.kept[typ]++
			again = append(again, m)
			continue
		}
		doomed = append(doomed, m)
	}
	failed, err := p.delete(ctx, doomed, res)
	p.release(ctx, append(again, failed...))
	return err
}

// delete deletes msgs and returns those SQS does not list as deleted.
func (p *typePurger) delete(ctx context.Context, msgs []sqstypes.Message, res *typePurgeResult) ([]sqstypes.Message, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(entryID(i)), ReceiptHandle: m.ReceiptHandle}
	}
	ctx, cancel := settle(ctx) // the batch in hand is finished after an interruption
	defer cancel()
	out, err := p.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.q.url), Entries: entries})
	if err != nil {
		return msgs, err
	}
	var redrive redriveResult // deletedEntries records causes there
	deleted := deletedEntries(out, len(msgs), &redrive, "delete from "+p.q.name)
	res.errs = append(res.errs, redrive.errs...)
	var left []sqstypes.Message
	for i, m := range msgs {
		if !deleted[entryID(i)] {
			left = append(left, m)
			continue
		}
		res.deleted++
	}
	return left, nil
}

// hold keeps msgs, a receive of messages all read before, hidden until the
// run ends, and reports whether that lets the next receive reach others:
// false when every one of them was held already. On FIFO, a full receive
// of more than one group has its last group released instead (see
// typePurger).
func (p *typePurger) hold(ctx context.Context, msgs []sqstypes.Message, full bool) bool {
	var release []sqstypes.Message
	if last := messageGroup(msgs[len(msgs)-1]); p.q.fifo && full && messageGroup(msgs[0]) != last {
		msgs, release = splitGroup(msgs, last)
	}
	progress := false
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		progress = progress || !p.held[id]
		p.held[id] = true
	}
	p.hidden = append(p.hidden, msgs...)
	p.release(ctx, release)
	return progress
}

// splitGroup returns the messages of msgs not of group, and those of it.
func splitGroup(msgs []sqstypes.Message, group string) (others, of []sqstypes.Message) {
	for _, m := range msgs {
		if messageGroup(m) == group {
			of = append(of, m)
			continue
		}
		others = append(others, m)
	}
	return others, of
}

// release makes msgs visible again at once, on a context that outlives an
// interruption. Failures are ignored: the messages are visible again
// after copyVisibility.
func (p *typePurger) release(ctx context.Context, msgs []sqstypes.Message) {
	ctx, cancel := settle(ctx)
	defer cancel()
	for _, m := range msgs {
		_, err := p.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(p.q.url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
		})
		if errors.Is(err, context.DeadlineExceeded) {
			return
		}
	}
}

// errDeleteEntries is the cause of a purge by type some of whose deletes
// SQS refused.
var errDeleteEntries = errors.New("SQS refused to delete some messages")

// entriesErr is the error of res's refused deletes, nil when none.
func (r typePurgeResult) entriesErr() error {
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", errDeleteEntries, errors.Join(r.errs...))
}
