package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
	"github.com/sourceflow-go/sourceflow/internal/periodic"
)

// sweepEvery sweeps the outbox every SweepInterval until stop is closed; a
// sweep in progress is cancelled then.
func (o *Outbox) sweepEvery(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	periodic.Run(stop, o.cfg.SweepInterval, func() {
		if _, err := o.Sweep(ctx); err != nil && ctx.Err() == nil {
			o.cfg.Logger.Error("outbox: sweep failed", err, watermill.LogFields{"outbox": o.cfg.Name})
		}
	})
}

// Sweep relays the messages of the outbox written more than RelayAfter
// ago, oldest first within each shard, and returns how many went out. Each
// is claimed first (a lease of RelayAfter), so that instances sweeping at
// once relay it once. A message the inner transport refuses for good is
// kept with the reason (DeadLetters); so is one whose destination the inner
// transport has no publisher for, once it has had none on this instance for
// destgrace.Grace (until then, a transient failure).
//
// The shards are swept at once, and each shard's messages relayed through a
// lane per destination, in the order they were written; sweepLanes (16)
// messages at most are relayed at once across the shards, one per
// destination (its shards' lanes take turns: order is kept within a shard
// only, a transaction's messages sharing one). A slow or hanging
// destination so holds up only its own messages, while fewer than
// sweepLanes are. A transient failure, or a message another instance holds,
// holds its destination: the shard's later messages for that destination
// wait for a later sweep, so that they keep their order behind it, while
// its messages for other destinations (other queues and topics, with no
// order between them) go on; a failure (not a message another instance
// holds) holds the destination in the other shards too, for the rest of the
// sweep. A claim answered after the publish's deadline is released
// unpublished, a transient failure. A destination whose relay lags a second
// behind the shard's read (laneQueue messages read ahead) has its later
// messages in the shard left for a later sweep, without failure.
//
// Each publish's context ends a third of RelayAfter, at most
// dynamo.SettleTimeout (10 s), before the claim's lease does
// (sweepSettleMargin): a publish still waiting then fails as a transient
// failure, and the message is released while the lease is this
// instance's, so no other instance relays it beside this one. A publish
// that ignores its context and has not returned when the lease ends is
// given up on (its failure says so) and left running: its lease runs out,
// so another instance may relay the message beside it, and until it
// returns (and deletes or releases its message) this instance's sweeps
// hold its destination without claiming.
//
// A failure to claim a message (DynamoDB's, which the next claims would
// meet too) ends the shard's sweep. A message DynamoDB refuses for good,
// for its size, to lease or to mark failed (isRefusedItem) is skipped and
// counted (SkippedMessages): the rest of its shard goes out, and Sweep's
// error names it. A message that went out is deleted even if ctx ends
// meanwhile; once ctx ended, Sweep waits for the publishes in progress for
// at most dynamo.SettleTimeout. A shard is read 100 messages at a time.
// The instances of a service sweep every SweepInterval on their own
// (logging what fails); Sweep, for tools and tests, returns the shards'
// failures (one per destination held) and the messages skipped, joined,
// after sweeping every shard: a nil error means that nothing was held back
// by a failure nor skipped.
//
// A dead letter is moved out of its shard (deadKey), so the sweep's key
// condition does not reach it: a sweep reads, and pays for, the messages
// still to relay, however many dead letters the outbox keeps. A dead letter
// an earlier version kept in its shard (a failure attribute) is moved out
// of it by the first sweep that reads it (moveLegacy), not relayed.
func (o *Outbox) Sweep(ctx context.Context) (int, error) {
	cutoff := digits(time.Now().Add(-o.cfg.RelayAfter).UnixNano())
	r := &sweepRound{o: o, ctx: ctx, slots: make(chan struct{}, sweepLanes), turns: map[string]*destinationTurn{}}
	errs := make([]error, outboxShards)
	var wg sync.WaitGroup
	for shard := range uint32(outboxShards) {
		wg.Go(func() {
			if err := r.sweepShard(shard, cutoff); err != nil {
				errs[shard] = fmt.Errorf("shard %d: %w", shard, err)
			}
		})
	}
	wg.Wait()
	return int(r.relayed.Load()), errors.Join(errs...)
}

// relayOutcome is what became of one message the sweep tried to relay.
type relayOutcome int

const (
	// relayed: the message went out and was deleted (or its delete failed
	// and was logged: the sweep relays it again).
	relayed relayOutcome = iota
	// deadLettered: the inner transport refused it for good; it is kept
	// with the reason.
	deadLettered
	// heldBack: another instance holds it, or it failed; the shard's later
	// messages for its destination wait.
	heldBack
	// stalled: its claim failed (DynamoDB's failure); the shard's sweep
	// ends there.
	stalled
	// refused: DynamoDB refused for good, for its size, to lease it or to
	// mark it failed (isRefusedItem); the sweep skips it and reports it.
	refused
)

// relayOne claims it, publishes it and records the outcome (relayLeased,
// settleRelay), unless a publish to its destination that an earlier sweep
// gave up on is still running on this instance (publishRunning): then it
// holds the destination without claiming it.
func (o *Outbox) relayOne(ctx context.Context, it outboxItem) (relayOutcome, error) {
	if o.publishRunning(it.Destination) {
		return heldBack, fmt.Errorf("%s%w", publishStart(it.Destination), errPublishRunning)
	}
	lease, claimed, err := o.claim(ctx, it)
	if isRefusedItem(err) {
		return refused, err
	}
	if err != nil {
		return stalled, err
	}
	if !claimed {
		return heldBack, nil
	}
	return o.relayLeased(ctx, it, lease)
}

// settleRelay records the outcome of the publish of it, claimed with
// lease, that failed with sendErr (nil if it went out): deleted once it
// went out, released after a transient failure (returned), kept as a dead
// letter after a permanent one (publishFailure: one the inner transport
// marks sourceflow.Permanent, or a destination it has had no publisher for
// during destgrace.Grace). The outcome is recorded in a settle context
// (settleContext), which outlives ctx: a sweep stopped right after a
// publish still deletes the message, rather than leave it leased for
// another instance to send again after RelayAfter. The release and the
// dead-lettering hold only while the lease is still this sweep's: a publish
// that outlasted it leaves the message to the instance that took it over.
func (o *Outbox) settleRelay(ctx context.Context, it outboxItem, lease int64, sendErr error) (relayOutcome, error) {
	settle, cancel := settleContext(ctx)
	defer cancel()
	if sendErr == nil {
		o.delete(settle, []outboxItem{it})
		return relayed, nil
	}
	reason := o.publishFailure(it.Destination, sendErr)
	if reason == nil {
		// Released, so that the next sweep tries it again.
		return heldBack, errors.Join(sendErr, leaseGone(o.update(settle, it, expression.Remove(expression.Name(attrLease)), leased(lease))))
	}
	switch err := o.markFailed(settle, it, lease, reason); {
	case isRefusedItem(err):
		return refused, err
	case dynamo.IsConditionFailed(err):
		return heldBack, nil // another instance took it over, or relayed it
	case err != nil:
		return heldBack, err
	}
	o.dead.Add(deadletter.CountedAs(it.Destination))
	return deadLettered, nil
}

// leased is the condition that the item still holds the lease a claim set.
func leased(lease int64) expression.ConditionBuilder {
	return expression.Name(attrLease).Equal(expression.Value(lease))
}

// leaseGone drops the failed condition of a release: the lease ran out and
// another instance took the message over, or relayed and deleted it.
func leaseGone(err error) error {
	if dynamo.IsConditionFailed(err) {
		return nil
	}
	return err
}

// skip logs and counts a message the sweep skips: DynamoDB refused its
// claim or its dead-lettering for good.
func (o *Outbox) skip(it outboxItem, err error) {
	o.skipped.Add(1)
	o.cfg.Logger.Error("outbox: DynamoDB refuses to lease or dead-letter the message; the sweep skips it", err,
		it.logFields())
}

// SkippedMessages returns how many times the sweeps of this Outbox skipped
// a message that DynamoDB refused for good to lease or to mark failed for
// its size (a ValidationException saying the item size exceeded the
// maximum allowed size, or a dead-lettering's transaction cancelled with
// that reason: an item written too close to 400 KB by a version that kept
// no room for the lease and the failure reason, to claim, or whose dead
// letter does not fit even with its reason cut and no lease: fitDead).
// Such a message
// stays in the table, its shard's later messages go out without it, each
// sweep tries it again, counting it again and logging it, and Sweep's
// error names it (message id and destination). Any other refusal of its
// claim ends the shard's sweep, and of its dead-lettering holds its
// destination as a transient failure does.
func (o *Outbox) SkippedMessages() int64 { return o.skipped.Load() }

// claim takes a lease on it, unless another instance holds one, and
// returns the lease it set.
func (o *Outbox) claim(ctx context.Context, it outboxItem) (lease int64, claimed bool, err error) {
	now := time.Now()
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.AttributeNotExists(expression.Name(attrFailure))).
		And(expression.Or(expression.AttributeNotExists(expression.Name(attrLease)),
			expression.Name(attrLease).LessThan(expression.Value(now.UnixNano()))))
	lease = now.Add(o.cfg.RelayAfter).UnixNano()
	err = o.update(ctx, it, expression.Set(expression.Name(attrLease), expression.Value(lease)), cond)
	if dynamo.IsConditionFailed(err) {
		return 0, false, nil
	}
	return lease, err == nil, err
}

// update applies update to it when cond holds, retrying throttling.
func (o *Outbox) update(ctx context.Context, it outboxItem, update expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	return o.retry.Do(ctx, o.table, func(ctx context.Context) error {
		_, err := o.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(o.table), Key: it.key(), UpdateExpression: expr.Update(),
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		}, dynamo.BoundAttempts)
		return err
	})
}

// sweepPage is how many items a shard is read by at once.
const sweepPage = 100

// query reads the items of one partition that key selects and filter
// keeps (every item when filter is not set), oldest first, strongly
// consistent, and hands them to each page by page, page items read at a
// time, until each returns false or an error, or the partition ends.
func (o *Outbox) query(ctx context.Context, key expression.KeyConditionBuilder, filter expression.ConditionBuilder,
	page int, each func([]outboxItem) (bool, error),
) error {
	b := expression.NewBuilder().WithKeyCondition(key)
	if filter.IsSet() {
		b = b.WithFilter(filter)
	}
	expr, err := b.Build()
	if err != nil {
		return err
	}
	in := &dynamodb.QueryInput{
		// #nosec G115 -- page is at most sweepPage.
		TableName: aws.String(o.table), ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(page)),
		KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	for out, err := range dynamo.QueryPages(ctx, o.api, o.retry, in) {
		if err != nil {
			return fmt.Errorf("dynamostore: outbox: read: %w", dynamo.NameTable(o.table, err))
		}
		var items []outboxItem
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
			return fmt.Errorf("dynamostore: outbox: decode %s: %w", o.table, err)
		}
		if more, err := each(items); err != nil || !more {
			return err
		}
	}
	return nil
}
