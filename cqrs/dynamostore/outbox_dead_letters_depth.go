package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// OutboxShardDepth is what one shard of an outbox holds: the messages the
// relay has yet to send, and the dead letters.
type OutboxShardDepth struct {
	// Shard is the shard's number, from 0.
	Shard int
	// Waiting is how many messages wait to be relayed (sent by the relay
	// after their commit, or left to the sweep).
	Waiting int64
	// Oldest is when the oldest of them was written, by the writing
	// instance's clock; zero when none waits.
	Oldest time.Time
	// DeadLetters is how many dead letters the shard has, those an earlier
	// version kept in the shard among them.
	DeadLetters int64
}

// Depths returns, for each shard of the outbox in order, how many messages
// wait to be relayed, when the oldest of them was written, and how many
// dead letters it has. It reads every item of the outbox's partitions, a
// page at a time, and holds one page at a time; a dead letter a sweep
// moves out of its shard meanwhile may be counted twice, a message relayed
// meanwhile once or not at all.
func (o *Outbox) Depths(ctx context.Context) ([]OutboxShardDepth, error) {
	depths := make([]OutboxShardDepth, outboxShards)
	for shard := range uint32(outboxShards) {
		d := &depths[shard]
		d.Shard = int(shard)
		key := shardKey(o.cfg.Name, shard)
		if err := o.query(ctx, partition(key), expression.ConditionBuilder{}, sweepPage, d.addWaiting); err != nil {
			return nil, err
		}
		if err := o.query(ctx, partition(deadKey(key)), expression.ConditionBuilder{}, sweepPage, d.addDead); err != nil {
			return nil, err
		}
	}
	return depths, nil
}

// addWaiting counts the items of a page of a shard's partition, in sort
// key order: a message waits, unless an earlier version kept it there as a
// dead letter (it has a failure attribute).
func (d *OutboxShardDepth) addWaiting(items []outboxItem) (bool, error) {
	for _, it := range items {
		if it.Failure != "" {
			d.DeadLetters++
			continue
		}
		if d.Waiting == 0 {
			d.Oldest = it.written()
		}
		d.Waiting++
	}
	return true, nil
}

// addDead counts the items of a page of a shard's dead-letter partition.
func (d *OutboxShardDepth) addDead(items []outboxItem) (bool, error) {
	d.DeadLetters += int64(len(items))
	return true, nil
}
