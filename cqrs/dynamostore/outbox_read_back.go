package dynamostore

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// redriven reports whether the dead letter it, kept in its shard's
// dead-letter partition, is gone from there and its message is back in its
// shard. A failed read counts as not.
func (o *Outbox) redriven(ctx context.Context, it outboxItem) bool {
	shard, moved := strings.CutSuffix(it.PK, deadSuffix)
	if !moved {
		return false
	}
	dead, err := o.readBack(ctx, it, attrPK)
	if err != nil || dead != nil {
		return false
	}
	back := it
	back.PK = shard
	item, err := o.readBack(ctx, back, attrPK, attrFailure)
	if err != nil || item == nil {
		return false
	}
	_, failed := item[attrFailure]
	return !failed
}

// readBack returns the attributes names of the item under its key, read
// strongly consistent, or nil when there is none.
func (o *Outbox) readBack(ctx context.Context, it outboxItem, names ...string) (map[string]types.AttributeValue, error) {
	projection := expression.NamesList(expression.Name(names[0]))
	for _, name := range names[1:] {
		projection = projection.AddNames(expression.Name(name))
	}
	expr, err := expression.NewBuilder().WithProjection(projection).Build()
	if err != nil {
		return nil, err
	}
	var out *dynamodb.GetItemOutput
	err = o.retry.Do(ctx, o.table, func(ctx context.Context) (err error) {
		out, err = o.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(o.table), Key: it.key(), ConsistentRead: aws.Bool(true),
			ProjectionExpression: expr.Projection(), ExpressionAttributeNames: expr.Names(),
		}, dynamo.BoundAttempts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}
