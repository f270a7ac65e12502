package dynamo

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// QueryPages yields the pages of the query in, one request per page, each
// retried by r, until the last page or the first request that fails, which
// it yields with a nil page. It moves in.ExclusiveStartKey on as it goes,
// so the sequence can be ranged over once.
func QueryPages(ctx context.Context, api API, r *Retry, in *dynamodb.QueryInput) iter.Seq2[*dynamodb.QueryOutput, error] {
	return func(yield func(*dynamodb.QueryOutput, error) bool) {
		for {
			var out *dynamodb.QueryOutput
			err := r.Do(ctx, aws.ToString(in.TableName), func(ctx context.Context) (err error) {
				out, err = api.Query(ctx, in, BoundAttempts)
				return err
			})
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(out, nil) || len(out.LastEvaluatedKey) == 0 {
				return
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
}
