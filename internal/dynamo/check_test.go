package dynamo

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTables answers DescribeTable from statuses (a table not in it is
// missing), fails the tables of errs with their error, and hangs on the
// tables of hang.
type fakeTables struct {
	statuses map[string]types.TableStatus
	errs     map[string]error
	hang     map[string]bool

	mu        sync.Mutex
	described []string
}

func (f *fakeTables) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	name := aws.ToString(in.TableName)
	f.mu.Lock()
	f.described = append(f.described, name)
	f.mu.Unlock()
	if f.hang[name] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err := f.errs[name]; err != nil {
		return nil, err
	}
	status, ok := f.statuses[name]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	}
	return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{TableName: in.TableName, TableStatus: status}}, nil
}

func TestCheckTables_EveryTableActiveIsUp(t *testing.T) {
	f := &fakeTables{statuses: map[string]types.TableStatus{"a": types.TableStatusActive, "b": types.TableStatusActive}}
	require.NoError(t, CheckTables(context.Background(), f, []string{"a", "b"}))
	assert.ElementsMatch(t, []string{"a", "b"}, f.described)
}

func TestCheckTables_NamesEveryMissingOrUnreadyTable(t *testing.T) {
	f := &fakeTables{statuses: map[string]types.TableStatus{"a": types.TableStatusActive, "c": types.TableStatusCreating}}
	err := CheckTables(context.Background(), f, []string{"a", "b", "c"})
	require.ErrorIs(t, err, ErrMissingTable)
	require.ErrorIs(t, err, ErrTableNotActive)
	assert.ErrorContains(t, err, "dynamodb: table b: table missing (create it: a store with Provisioning create")
	assert.ErrorContains(t, err, "dynamodb: table c is CREATING: table not active (requests on it fail until it is ACTIVE")
	assert.NotContains(t, err.Error(), "table a")
}

func TestCheckTables_AThrottledDescribeFailsOnceWithTheRemedy(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	f := &fakeTables{errs: map[string]error{"a": throttled}}
	err := CheckTables(context.Background(), f, []string{"a"})
	require.ErrorIs(t, err, throttled)
	assert.ErrorContains(t, err, "dynamodb: table a still throttled after 1 attempts (raise the provisioned capacity")
	assert.Len(t, f.described, 1)
}

func TestCheckTables_AnotherErrorNamesItsTable(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: dynamodb:DescribeTable"}
	err := CheckTables(context.Background(), &fakeTables{errs: map[string]error{"a": denied}}, []string{"a"})
	require.ErrorIs(t, err, denied)
	assert.NotErrorIs(t, err, ErrMissingTable)
	assert.ErrorContains(t, err, "dynamodb: table a: ")
}

// TestCheckTables_AnUnansweredDescribeIsCutAtAttemptTimeout checks that a
// DynamoDB that stops answering fails the check after AttemptTimeout, the
// tables described at once, not one after the other.
func TestCheckTables_AnUnansweredDescribeIsCutAtAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeTables{statuses: map[string]types.TableStatus{"a": types.TableStatusActive}, hang: map[string]bool{"b": true, "c": true}}
		start := time.Now()
		err := CheckTables(context.Background(), f, []string{"a", "b", "c"})
		require.ErrorIs(t, err, ErrUnanswered)
		assert.ErrorContains(t, err, "dynamodb: table b: ")
		assert.ErrorContains(t, err, "dynamodb: table c: ")
		assert.Equal(t, AttemptTimeout, time.Since(start))
		assert.NotErrorIs(t, err, ErrMissingTable)
	})
}
