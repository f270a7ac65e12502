package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow"
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
// kept with the reason (DeadLetters); a transient failure ends the shard's
// sweep, so that the messages behind it keep their order. The instances of
// a service sweep every SweepInterval on their own; Sweep is for tools and
// tests.
func (o *Outbox) Sweep(ctx context.Context) (int, error) {
	cutoff := digits(time.Now().Add(-o.cfg.RelayAfter).UnixNano())
	relayed := 0
	for shard := range uint32(outboxShards) {
		key := expression.KeyEqual(expression.Key(attrPK), expression.Value(shardKey(o.cfg.Name, shard))).
			And(expression.KeyLessThan(expression.Key(attrSK), expression.Value(cutoff)))
		items, err := o.query(ctx, key, expression.AttributeNotExists(expression.Name("failure")))
		if err != nil {
			return relayed, err
		}
		n, err := o.relayClaimed(ctx, items)
		relayed += n
		if err != nil {
			o.cfg.Logger.Error("outbox: sweep could not relay a message; it is tried again", err,
				watermill.LogFields{"outbox": o.cfg.Name, "shard": shard})
		}
	}
	return relayed, nil
}

// relayClaimed relays items in order, each once claimed, stopping at the
// first transient failure.
func (o *Outbox) relayClaimed(ctx context.Context, items []outboxItem) (int, error) {
	n := 0
	for _, it := range items {
		claimed, err := o.claim(ctx, it)
		if err != nil {
			return n, err
		}
		if !claimed {
			continue
		}
		m := it.message()
		m.SetContext(ctx)
		if err := o.send(it.Destination, m); err != nil {
			if sourceflow.IsPermanent(err) {
				if err := o.markFailed(ctx, it, err); err != nil {
					return n, err
				}
				continue
			}
			return n, err
		}
		o.delete(ctx, []outboxItem{it})
		n++
	}
	return n, nil
}

// claim takes a lease on it, unless another instance holds one.
func (o *Outbox) claim(ctx context.Context, it outboxItem) (bool, error) {
	now := time.Now()
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.AttributeNotExists(expression.Name("failure"))).
		And(expression.Or(expression.AttributeNotExists(expression.Name("lease")),
			expression.Name("lease").LessThan(expression.Value(now.UnixNano()))))
	update := expression.Set(expression.Name("lease"), expression.Value(now.Add(o.cfg.RelayAfter).UnixNano()))
	err := o.update(ctx, it, update, cond)
	if dynamo.IsConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// markFailed keeps it in the outbox with the reason it cannot be relayed.
func (o *Outbox) markFailed(ctx context.Context, it outboxItem, reason error) error {
	o.cfg.Logger.Error("outbox: message cannot be relayed; kept as a dead letter", reason,
		watermill.LogFields{"message_uuid": it.UUID, "destination": it.Destination})
	return o.update(ctx, it, expression.Set(expression.Name("failure"), expression.Value(reason.Error())),
		expression.AttributeExists(expression.Name(attrPK)))
}

func (o *Outbox) update(ctx context.Context, it outboxItem, update expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	return o.retry.Do(ctx, func(ctx context.Context) error {
		_, err := o.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(o.table), Key: it.key(), UpdateExpression: expr.Update(),
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		})
		return err
	})
}

// query reads the items of one shard that key selects and filter keeps,
// oldest first, strongly consistent.
func (o *Outbox) query(ctx context.Context, key expression.KeyConditionBuilder, filter expression.ConditionBuilder) ([]outboxItem, error) {
	expr, err := expression.NewBuilder().WithKeyCondition(key).WithFilter(filter).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(o.table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	var items []outboxItem
	for {
		var out *dynamodb.QueryOutput
		err := o.retry.Do(ctx, func(ctx context.Context) (err error) {
			out, err = o.api.Query(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: outbox: read %s: %w", o.table, err)
		}
		var page []outboxItem
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			return nil, fmt.Errorf("dynamostore: outbox: decode %s: %w", o.table, err)
		}
		items = append(items, page...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// OutboxDeadLetter is a message the outbox kept because the inner
// transport refused it for good, with the reason.
type OutboxDeadLetter struct {
	Message     *message.Message
	Destination string
	Reason      string
}

// DeadLetters returns the messages the outbox could not relay, shard by
// shard, oldest first within a shard.
func (o *Outbox) DeadLetters(ctx context.Context) ([]OutboxDeadLetter, error) {
	var dead []OutboxDeadLetter
	for shard := range uint32(outboxShards) {
		key := expression.KeyEqual(expression.Key(attrPK), expression.Value(shardKey(o.cfg.Name, shard)))
		items, err := o.query(ctx, key, expression.AttributeExists(expression.Name("failure")))
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			dead = append(dead, OutboxDeadLetter{Message: it.message(), Destination: it.Destination, Reason: it.Failure})
		}
	}
	return dead, nil
}
