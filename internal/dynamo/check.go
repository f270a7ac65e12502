package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The findings of CheckTables.
var (
	// ErrMissingTable wraps a table DynamoDB does not know: every request
	// of the store on it fails until it is created again.
	ErrMissingTable = errors.New("table missing")
	// ErrTableNotActive wraps a table that is there but not ACTIVE
	// (CREATING, UPDATING, DELETING, ARCHIVED, or its KMS key
	// inaccessible).
	ErrTableNotActive = errors.New("table not active")
)

// TableDescriber is the part of *dynamodb.Client CheckTables calls.
type TableDescriber interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// CheckTables is a health check of the stores' tables: one DescribeTable
// per table, all at once, each bounded by AttemptTimeout (ErrUnanswered)
// and tried once (a throttled one fails, naming the remedy). It returns
// nil when every table exists and is ACTIVE, else every table's error
// joined in the order of tables, each naming its table: ErrMissingTable or
// ErrTableNotActive with the remedy, or the request's error.
func CheckTables(ctx context.Context, api TableDescriber, tables []string) error {
	errs := make([]error, len(tables))
	var wg sync.WaitGroup
	for i, table := range tables {
		wg.Go(func() { errs[i] = checkTable(ctx, api, table) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// checkTable describes table once and tells whether it is ACTIVE.
func checkTable(ctx context.Context, api TableDescriber, table string) error {
	var out *dynamodb.DescribeTableOutput
	r := &Retry{Attempts: 1}
	err := r.Do(ctx, table, func(ctx context.Context) error {
		var err error
		out, err = api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, BoundAttempts, once)
		return err
	})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("dynamodb: table %s: %w (create it: a store with Provisioning create, the default, "+
			"creates its missing tables when it starts; or create the topology's tables with sourceflow apply): %w",
			table, ErrMissingTable, err)
	case err != nil:
		return NameTable(table, err)
	case out == nil || out.Table == nil:
		return fmt.Errorf("dynamodb: table %s: DescribeTable returned no description", table)
	}
	if status := out.Table.TableStatus; status != types.TableStatusActive {
		return fmt.Errorf("dynamodb: table %s is %s: %w (requests on it fail until it is ACTIVE: wait while it is "+
			"CREATING or UPDATING; restore it when ARCHIVED; give DynamoDB its KMS key again when "+
			"INACCESSIBLE_ENCRYPTION_CREDENTIALS)", table, status, ErrTableNotActive)
	}
	return nil
}

// once makes the SDK try a call once, whatever retryer its client has: a
// health check answers with what it saw now, within AttemptTimeout, rather
// than after the SDK's attempts and backoff.
func once(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }
