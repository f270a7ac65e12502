package dynamostore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// deadSuffix ends the partition key of a shard's dead letters.
const deadSuffix = "#dead"

// deadKey returns the partition of the dead letters of the shard whose
// partition is shard ("<name>#<shard>#dead"). It is not the partition of
// any shard, of this outbox or of another (whose key ends in a digit), so
// the sweep's key condition never reaches a dead letter.
func deadKey(shard string) string { return shard + deadSuffix }

// deadItem is it as a dead letter of its shard, with reason and lease (0
// for none): moved to the shard's dead-letter partition under its sort
// key, so that dead letters keep their order.
func deadItem(it outboxItem, reason string, lease int64) outboxItem {
	it.PK, it.Lease, it.Failure = deadKey(it.PK), lease, reason
	return it
}

// markFailed moves it, while it holds lease, to its shard's dead letters
// with the reason it cannot be relayed, cut to maxFailureText bytes, and
// lease, both cut further when the item would not fit otherwise (fitDead):
// a failed condition (dynamo.IsConditionFailed) means another
// instance took it over, unless the dead letter with lease is there
// (movedBefore).
func (o *Outbox) markFailed(ctx context.Context, it outboxItem, lease int64, reason error) error {
	dead := fitDead(deadItem(it, failureText(reason), lease))
	err := o.move(ctx, it, dead, leased(lease))
	if dynamo.IsConditionFailed(err) && o.movedBefore(ctx, dead) {
		err = nil
	}
	if err == nil {
		o.cfg.Logger.Error("outbox: message cannot be relayed; kept as a dead letter", reason,
			it.logFields())
	}
	return err
}

// movedBefore reports whether dead, with the lease of the sweep that moved
// it, is among the dead letters: the move's condition failed because the
// move had been applied already, its answer lost and the request sent
// again (DynamoDB answers such a request by its ClientRequestToken, an
// emulator may not). Another instance's dead letter has another lease; a
// failed read counts as another instance's.
func (o *Outbox) movedBefore(ctx context.Context, dead outboxItem) bool {
	item, err := o.readBack(ctx, dead, attrLease)
	if err != nil || item == nil {
		return false
	}
	lease, err := number(item[attrLease])
	return err == nil && lease == dead.Lease
}

// moveLegacy moves a dead letter an earlier version kept in its shard (it
// has a failure attribute there) to the shard's dead letters, with its
// reason, so that later sweeps do not read it. It is not relayed either
// way: one another instance moved or redrove meanwhile is left alone, and
// one that cannot be moved (logged) stays where it is, listed by
// DeadLetters, for the next sweep to move.
func (o *Outbox) moveLegacy(ctx context.Context, it outboxItem) {
	err := o.move(ctx, it, deadItem(it, it.Failure, 0), expression.AttributeExists(expression.Name(attrFailure)))
	if err != nil && !dynamo.IsConditionFailed(err) {
		o.cfg.Logger.Error("outbox: moving a dead letter out of its shard failed; the next sweep moves it", err,
			it.logFields())
	}
}

// OutboxDeadLetter is a message the outbox kept because the inner
// transport refused it for good, with the reason.
type OutboxDeadLetter struct {
	Message     *message.Message
	Destination string
	Reason      string
	// Written is when the message was written into the outbox, by the
	// writing instance's clock (zero for a sort key that holds no time).
	Written time.Time
}

// OutboxDeadLetterQuery bounds what Outbox.DeadLetters reads: anyone who
// can get messages dead-lettered decides how many there are.
type OutboxDeadLetterQuery struct {
	// Max is the most dead letters DeadLetters returns; at least 1. To
	// tell whether there are more than n, ask for n+1: DeadLetters returns
	// fewer than Max only when there are no more.
	Max int
}

// DeadLetters returns up to q.Max of the messages the outbox could not
// relay, the oldest first by when they were written, across all shards:
// those in the shards' dead-letter partitions, and those an earlier version
// kept in the shard itself (until a sweep moves them; finding those reads
// the shard's messages too). It reads each shard's dead letters no further
// than q.Max, and holds no more than twice q.Max of them at a time, and
// a page (up to 100) of the older ones kept in a shard.
func (o *Outbox) DeadLetters(ctx context.Context, q OutboxDeadLetterQuery) ([]OutboxDeadLetter, error) {
	if q.Max < 1 {
		return nil, fmt.Errorf("dynamostore: outbox: dead letters: OutboxDeadLetterQuery.Max is %d, must be at least 1", q.Max)
	}
	var oldest []outboxItem
	for shard := range uint32(outboxShards) {
		items, err := o.shardDeadLetters(ctx, shardKey(o.cfg.Name, shard), q.Max)
		if err != nil {
			return nil, err
		}
		oldest = append(oldest, items...)
		slices.SortStableFunc(oldest, func(a, b outboxItem) int { return strings.Compare(a.SK, b.SK) })
		oldest = oldest[:min(len(oldest), q.Max)]
	}
	dead := make([]OutboxDeadLetter, len(oldest))
	for i, it := range oldest {
		dead[i] = it.deadLetter()
	}
	return dead, nil
}

// Redrive returns the outbox's dead letters to the sweep, which relays them
// again (once the inner transport knows their destination, for instance)
// after the messages that went out meanwhile, and returns how many of the
// dead letters it read it found back in the outbox. A dead letter goes
// back into its shard under its sort key, without its reason, in one
// transaction. When that transaction's condition fails (the dead letter
// was redriven already: by this call, whose request was sent again after
// its answer was lost, or by another instance), the dead letter counts if
// it is gone and its message is back in its shard; one another instance
// redrove and a sweep relayed since does not. Concurrent Redrives of one
// outbox may therefore both count the same message. It is RedriveWith
// without options.
func (o *Outbox) Redrive(ctx context.Context) (int, error) {
	return o.RedriveWith(ctx, OutboxRedriveOptions{})
}

// OutboxRedriveOptions are the choices of Outbox.RedriveWith. They are not
// cqrs.RedriveOptions, which sqlbus and outbox take: that Where is given
// when each dead letter was dead-lettered, which this outbox does not
// record (OutboxDeadLetter.Written is when its message was written).
type OutboxRedriveOptions struct {
	// ResetHops removes each dead letter's hop count (sourceflow.MetaHops),
	// so that it counts as sent by no handler (hop 0): a handler of it
	// may again send or raise up to cqrs.ServiceConfig.MaxHops messages
	// in a row. Use it once the causation loop that dead-lettered the
	// messages at the hop limit is fixed; should the loop still be there,
	// it stops again at the limit.
	ResetHops bool
	// Where, when set, selects the dead letters returned; those it does
	// not select stay where they are. Nil returns every one.
	Where func(OutboxDeadLetter) bool
}

// RedriveWith is Redrive with opts. Each dead letter returned counts one
// more redrive (sourceflow.MetaRedrives) and when it was
// (sourceflow.MetaRedrivenAt), except a message an earlier version wrote
// so close to DynamoDB's item limit that the count does not fit: it goes
// back whole, without the count.
func (o *Outbox) RedriveWith(ctx context.Context, opts OutboxRedriveOptions) (int, error) {
	n := 0
	err := o.eachDeadLetter(ctx, func(it outboxItem) error {
		if opts.Where != nil && !opts.Where(it.deadLetter()) {
			return nil
		}
		err := o.redriveOne(ctx, it, opts.ResetHops)
		if dynamo.IsConditionFailed(err) {
			if o.redriven(ctx, it) {
				n++
			}
			return nil
		}
		if err == nil {
			n++
		}
		return err
	})
	return n, err
}

// deadLetter is the dead letter it holds.
func (it outboxItem) deadLetter() OutboxDeadLetter {
	return OutboxDeadLetter{Message: it.message(), Destination: it.Destination, Reason: it.Failure, Written: it.written()}
}

// redriveOne returns the dead letter it to its shard, with one more
// redrive counted where the count fits, and without its hop count when
// resetHops.
func (o *Outbox) redriveOne(ctx context.Context, it outboxItem, resetHops bool) error {
	failed := expression.AttributeExists(expression.Name(attrFailure))
	shard, moved := strings.CutSuffix(it.PK, deadSuffix)
	back := it
	back.PK, back.Lease, back.Failure = shard, 0, ""
	back.Metadata = redrivenMetadata(back, resetHops)
	if !moved { // kept in its shard by an earlier version
		return o.update(ctx, it, expression.Remove(expression.Name(attrFailure)).Remove(expression.Name(attrLease)).
			Set(expression.Name(attrMetadata), expression.Value(back.Metadata)), failed)
	}
	return o.move(ctx, it, back, failed)
}

// redrivenMetadata is the metadata of back, a dead letter as it returns to
// its shard: without its hop count when resetHops, and with one more
// redrive counted unless the count would take the item over DynamoDB's
// item limit (a message an earlier version wrote close to it), which the
// message, kept whole, must not.
func redrivenMetadata(back outboxItem, resetHops bool) map[string]string {
	md := maps.Clone(back.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	if resetHops {
		delete(md, sourceflow.MetaHops)
	}
	back.Metadata = maps.Clone(md)
	sourceflow.CountRedrive(back.Metadata, time.Now())
	if itemSize(back) > dynamo.MaxItemSize {
		return md
	}
	return back.Metadata
}

// eachDeadLetter calls fn with each dead letter, shard by shard, oldest
// first within a shard.
func (o *Outbox) eachDeadLetter(ctx context.Context, fn func(outboxItem) error) error {
	for shard := range uint32(outboxShards) {
		dead, err := o.shardDeadLetters(ctx, shardKey(o.cfg.Name, shard), 0)
		if err != nil {
			return err
		}
		for _, it := range dead {
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// shardDeadLetters reads the first limit dead letters (all of them for a
// limit of 0) of the shard whose partition is shard, in sort key order:
// those an earlier version kept in the shard, then its dead-letter
// partition, each up to limit, its partition read limit at a time. In that
// order a dead letter a sweep moves from the one to the other meanwhile is
// read once or twice, never missed; read twice, it is kept as the
// partition holds it.
func (o *Outbox) shardDeadLetters(ctx context.Context, shard string, limit int) ([]outboxItem, error) {
	var legacy, dead []outboxItem
	collect := func(into *[]outboxItem) func([]outboxItem) (bool, error) {
		return func(items []outboxItem) (bool, error) {
			*into = append(*into, items...)
			return limit <= 0 || len(*into) < limit, nil
		}
	}
	page := sweepPage
	if limit > 0 {
		page = min(limit, sweepPage)
	}
	failed := expression.AttributeExists(expression.Name(attrFailure))
	if err := o.query(ctx, partition(shard), failed, sweepPage, collect(&legacy)); err != nil {
		return nil, err
	}
	if err := o.query(ctx, partition(deadKey(shard)), expression.ConditionBuilder{}, page, collect(&dead)); err != nil {
		return nil, err
	}
	dead = mergeLegacy(dead, legacy)
	if limit > 0 && len(dead) > limit {
		dead = dead[:limit]
	}
	return dead, nil
}

// mergeLegacy returns the dead letters of a shard's dead-letter partition
// and those an earlier version kept in the shard, in sort key order, each
// once: as the partition holds it when both have it.
func mergeLegacy(dead, legacy []outboxItem) []outboxItem {
	moved := make(map[string]bool, len(dead))
	for _, it := range dead {
		moved[it.SK] = true
	}
	for _, it := range legacy {
		if !moved[it.SK] {
			dead = append(dead, it)
		}
	}
	slices.SortStableFunc(dead, func(a, b outboxItem) int { return strings.Compare(a.SK, b.SK) })
	return dead
}

// partition is the key condition of every item of partition pk.
func partition(pk string) expression.KeyConditionBuilder {
	return expression.KeyEqual(expression.Key(attrPK), expression.Value(pk))
}

// written is when it was written into the outbox: the time its sort key
// starts with (digits of UnixNano); zero when the key holds none.
func (it outboxItem) written() time.Time {
	at, _, _ := strings.Cut(it.SK, "#")
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n)
}
