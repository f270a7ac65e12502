package dynamostore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// consistentGet reads the item at key of table with a strongly consistent
// read, retrying throttling as retry does; nil when there is none.
func consistentGet(ctx context.Context, api *dynamodb.Client, retry *dynamo.Retry, table string, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	var out *dynamodb.GetItemOutput
	err := retry.Do(ctx, table, func(ctx context.Context) (err error) {
		out, err = api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true),
		}, dynamo.BoundAttempts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}
