package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// move replaces the item from with the item to, in one TransactWriteItems:
// from is deleted if cond holds, to is put. A failed cond is returned as
// the ConditionalCheckFailedException a single write fails with
// (dynamo.IsConditionFailed), and nothing is written. The transaction keeps
// one client request token across the store's retries, so that a retried
// request DynamoDB already applied is not applied again.
func (o *Outbox) move(ctx context.Context, from, to outboxItem, cond expression.ConditionBuilder) error {
	item, err := attributevalue.MarshalMap(to)
	if err != nil {
		return fmt.Errorf("dynamostore: outbox: encode message %s: %w", sourceflow.IDText(to.UUID), err)
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String(rand.Text()),
		TransactItems: []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName: aws.String(o.table), Key: from.key(), ConditionExpression: expr.Condition(),
				ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			}},
			{Put: &types.Put{TableName: aws.String(o.table), Item: item}},
		},
	}
	err = o.retry.Do(ctx, o.table, func(ctx context.Context) error {
		_, err := o.api.TransactWriteItems(ctx, in, dynamo.BoundAttempts)
		return err
	})
	return moveCondition(err)
}

// moveCondition returns err, or, when it cancelled the move for its
// condition, a ConditionalCheckFailedException wrapping it.
func moveCondition(err error) error {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) || !conditionFailed(tc) {
		return err
	}
	return fmt.Errorf("%w: %w", &types.ConditionalCheckFailedException{
		Message: aws.String("the outbox item moved is no longer as the move expects"),
	}, err)
}
