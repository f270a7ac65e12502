package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// fakeAPI records the writes it is sent and answers with the errors queued.
type fakeAPI struct {
	API
	mu       sync.Mutex
	puts     int
	transact [][]types.TransactWriteItem
	errs     []error
}

func (f *fakeAPI) next() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func (f *fakeAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	f.puts++
	f.mu.Unlock()
	return &dynamodb.PutItemOutput{}, f.next()
}

func (f *fakeAPI) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.mu.Lock()
	f.transact = append(f.transact, in.TransactItems)
	f.mu.Unlock()
	return &dynamodb.TransactWriteItemsOutput{}, f.next()
}

func put(table string) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table)}}
}

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}}
}

var errFirst, errSecond = errors.New("first condition"), errors.New("second condition")

func TestWithinTxCommitsEverythingCollectedInOneTransaction(t *testing.T) {
	api := &fakeAPI{}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		require.NotNil(t, tx)
		require.NoError(t, tx.Add("a", key("1"), put("a"), errFirst))
		return WithinTx(ctx, api, Handling, &Retry{}, func(ctx context.Context) error { // joins
			return TxFor(ctx, api, Handling).Add("b", key("1"), put("b"), errSecond)
		})
	})
	require.NoError(t, err)
	require.Len(t, api.transact, 1)
	assert.Len(t, api.transact[0], 2)
	assert.Zero(t, api.puts)
}

func TestWithinTxWritesASingleWriteWithoutATransaction(t *testing.T) {
	api := &fakeAPI{errs: []error{&types.ConditionalCheckFailedException{}}}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		return TxFor(ctx, api, Handling).Add("a", key("1"), put("a"), errFirst)
	})
	assert.ErrorIs(t, err, errFirst)
	assert.Equal(t, 1, api.puts)
	assert.Empty(t, api.transact)
}

func TestACancelledTransactionReportsTheWriteWhoseConditionFailed(t *testing.T) {
	api := &fakeAPI{errs: []error{cancelled("None", "ConditionalCheckFailed")}}
	undone := 0
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		tx.OnRollback(ctx, func(context.Context) error { undone++; return nil })
		return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.Add("b", key("1"), put("b"), errSecond))
	})
	assert.ErrorIs(t, err, errSecond)
	assert.Equal(t, 1, undone, "a failed commit rolls back")
}

func TestFailedWorkWritesNothingAndRollsBack(t *testing.T) {
	api := &fakeAPI{}
	boom := errors.New("boom")
	undone := 0
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		tx.OnRollback(ctx, func(context.Context) error { undone++; return nil })
		require.NoError(t, tx.Add("a", key("1"), put("a"), errFirst))
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Same(t, boom, err, "a rollback that succeeds leaves the error as it was")
	assert.Equal(t, 1, undone)
	assert.Zero(t, api.puts)
	assert.Empty(t, api.transact)
	assert.Nil(t, TxFor(context.Background(), api, Handling))
	assert.Nil(t, TxFor(context.WithValue(context.Background(), txKey{Handling}, &Tx{api: &fakeAPI{}}), api, Handling), "another client's transaction is not joined")
}

func TestARollbackThatFailsIsPartOfTheError(t *testing.T) {
	api := &fakeAPI{}
	boom, stuck := errors.New("boom"), errors.New("release refused")
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		TxFor(ctx, api, Handling).OnRollback(ctx, func(context.Context) error { return stuck })
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, stuck)
}

func TestATransactionTakesAtMostOneHundredWrites(t *testing.T) {
	api := &fakeAPI{}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		for i := range MaxTxItems {
			require.NoError(t, tx.Add("a", key(fmt.Sprint(i)), put("a"), errFirst))
		}
		return tx.Add("a", key("one too many"), put("a"), errFirst)
	})
	assert.ErrorIs(t, err, ErrTxTooLarge)
	assert.Empty(t, api.transact)
}

func TestItemSizeCountsNamesAndValues(t *testing.T) {
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "order-1"},
		"data": &types.AttributeValueMemberB{Value: make([]byte, 100)},
		"n":    &types.AttributeValueMemberN{Value: "12"},
	}
	assert.Equal(t, 2+7+4+100+1+2, ItemSize(item))
	item["data"] = &types.AttributeValueMemberB{Value: make([]byte, MaxItemSize)}
	err := CheckSize(item, `order "o-1"`)
	assert.ErrorIs(t, err, ErrItemTooLarge)
	assert.Contains(t, err.Error(), `order "o-1"`)
}

func TestAFailureOfAWriteAddedFirstIsReportedFirst(t *testing.T) {
	api := &fakeAPI{errs: []error{cancelled("ConditionalCheckFailed", "ConditionalCheckFailed")}}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		return errors.Join(tx.Add("a", key("1"), put("a"), errFirst), tx.AddFirst("b", key("1"), put("b"), errSecond))
	})
	assert.ErrorIs(t, err, errSecond)
	require.Len(t, api.transact, 1)
	assert.Equal(t, "b", aws.ToString(api.transact[0][0].Put.TableName))
}

func TestEndFunctionsRunWhetherOrNotTheTransactionCommits(t *testing.T) {
	api := &fakeAPI{}
	for _, fail := range []bool{false, true} {
		ended := 0
		_ = WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			TxFor(ctx, api, Handling).OnEnd(func() { ended++ })
			if fail {
				return errFirst
			}
			return nil
		})
		assert.Equal(t, 1, ended, "failed: %v", fail)
	}
}

func TestALaterWriteOfTheSameItemReplacesTheEarlierOne(t *testing.T) {
	api := &fakeAPI{}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		require.NoError(t, tx.Add("views", key("v-1"), put("views"), errFirst))
		require.NoError(t, tx.Add("records", key("r-1"), put("records"), errSecond))
		return tx.Add("views", key("v-1"), put("views-again"), errFirst) // a retried handler saves again
	})
	require.NoError(t, err)
	require.Len(t, api.transact, 1)
	require.Len(t, api.transact[0], 2, "one write per item")
	assert.Equal(t, "records", aws.ToString(api.transact[0][0].Put.TableName))
	assert.Equal(t, "views-again", aws.ToString(api.transact[0][1].Put.TableName), "the later write wins")
}

func TestATransactionOverFourMegabytesIsRefusedBeforeAnyRequest(t *testing.T) {
	api := &fakeAPI{}
	big := func(id string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String("a"), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: id}, "data": &types.AttributeValueMemberB{Value: make([]byte, 390<<10)},
		}}}
	}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		for i := range 11 { // 11 × 390 KB
			require.NoError(t, tx.Add("a", key(fmt.Sprint(i)), big(fmt.Sprint(i)), errFirst))
		}
		return nil
	})
	require.ErrorIs(t, err, ErrTxOverSize)
	assert.ErrorIs(t, err, sourceflow.ErrPermanent)
	assert.Contains(t, err.Error(), "11 writes of")
	assert.Empty(t, api.transact, "nothing was sent")
}

func TestCommitFunctionsRunOnlyAfterACommitAndSeeNoTransaction(t *testing.T) {
	for _, fail := range []bool{false, true} {
		api := &fakeAPI{}
		var order []string
		var current *Tx
		_ = WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			cur, onAPI := Current(ctx, api)
			assert.True(t, onAPI)
			assert.Same(t, tx, cur, "the transaction begun last")
			require.NoError(t, tx.Add("a", key("1"), put("a"), errFirst))
			tx.OnEnd(func() { order = append(order, "end") })
			tx.OnCommit(func(ctx context.Context) {
				order = append(order, "commit")
				current, _ = Current(Detach(ctx), api)
			})
			if fail {
				return errFirst
			}
			return nil
		})
		if fail {
			assert.Equal(t, []string{"end"}, order, "no commit function after a rollback")
			continue
		}
		assert.Equal(t, []string{"end", "commit"}, order, "after the commit, once the end functions ran")
		assert.Nil(t, current, "a detached context carries no transaction")
	}
}

// A handler run again in the transaction replaces its write and the check
// that reads it back: after an uncertain commit, only the later check
// decides, and the first run's stale one no longer refuses the commit.
func TestACheckRegisteredAgainForTheSameWriteReplacesTheEarlierOne(t *testing.T) {
	api := &fakeAPI{errs: []error{cancelled("None", "ConditionalCheckFailed")}}
	var asked []string
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		tx.OnUncertain("views", key("v-1"), func(context.Context) bool { asked = append(asked, "first run"); return false })
		require.NoError(t, tx.Add("views", key("v-1"), put("views"), errFirst))
		require.NoError(t, tx.Add("records", key("r-1"), put("records"), errSecond))
		tx.OnUncertain("views", key("v-1"), func(context.Context) bool { asked = append(asked, "rerun"); return true })
		return tx.Add("views", key("v-1"), put("views-again"), errFirst)
	})
	require.NoError(t, err, "the rerun's write is in place: the commit counts")
	assert.Equal(t, []string{"rerun"}, asked)
}

// Writes added together commit together or not at all: AddAll refused by
// MaxTxItems leaves the writes collected before it as they were, and a
// seal never falls between them.
func TestWritesAddedTogetherAreCollectedAllOrNone(t *testing.T) {
	t.Run("too many", func(t *testing.T) {
		api := &fakeAPI{}
		err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			for i := range MaxTxItems - 1 {
				require.NoError(t, tx.Add("a", key(fmt.Sprint(i)), put("a"), errFirst))
			}
			err := tx.AddAll(Write{Table: "a", Key: key("0"), Item: put("replaced"), Failed: errFirst},
				Write{Table: "a", Key: key("new"), Item: put("a"), Failed: errFirst},
				Write{Table: "a", Key: key("one too many"), Item: put("a"), Failed: errFirst})
			assert.ErrorIs(t, err, ErrTxTooLarge)
			return nil
		})
		require.NoError(t, err)
		require.Len(t, api.transact, 1)
		require.Len(t, api.transact[0], MaxTxItems-1)
		for _, it := range api.transact[0] {
			assert.Equal(t, "a", aws.ToString(it.Put.TableName), "no write of the refused AddAll is kept")
		}
	})
	t.Run("sealed meanwhile", func(t *testing.T) {
		api := &fakeAPI{}
		const pairs = MaxTxItems / 2
		added := make(chan struct{}, pairs)
		done := make(chan error, 1)
		err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
			tx := TxFor(ctx, api, Handling)
			go func() {
				for i := range pairs {
					err := tx.AddAll(Write{Table: fmt.Sprint("row-", i), Key: key(fmt.Sprint("row-", i)), Item: put(fmt.Sprint(i))},
						Write{Table: fmt.Sprint("marker-", i), Key: key(fmt.Sprint("marker-", i)), Item: put(fmt.Sprint(i))})
					if err != nil {
						done <- err
						return
					}
					added <- struct{}{}
				}
				done <- nil
			}()
			<-added // the work returns while the goroutine keeps adding
			return nil
		})
		require.NoError(t, err)
		if err := <-done; err != nil {
			require.ErrorIs(t, err, ErrTxEnded)
		}
		require.Len(t, api.transact, 1)
		seen := map[string]int{}
		for _, it := range api.transact[0] {
			seen[aws.ToString(it.Put.TableName)]++
		}
		for pair, n := range seen {
			assert.Equal(t, 2, n, "pair %s committed whole", pair)
		}
	})
}

// Keys whose values hold NUL characters (valid UTF-8, so the stores accept
// them) name items of their own: two writes of different items are both
// written, neither replaces the other.
func TestWritesOfKeysThatDifferOnlyAroundANULAreBothCollected(t *testing.T) {
	api := &fakeAPI{}
	keyOf := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
		}
	}
	err := WithinTx(context.Background(), api, Handling, &Retry{}, func(ctx context.Context) error {
		tx := TxFor(ctx, api, Handling)
		return errors.Join(
			tx.Add("a", keyOf("x\x00sk\x00y", "z"), put("a"), errFirst),
			tx.Add("a", keyOf("x", "y\x00sk\x00z"), put("a"), errSecond))
	})
	require.NoError(t, err)
	require.Len(t, api.transact, 1, "two items: one transaction")
	assert.Len(t, api.transact[0], 2)
	assert.Zero(t, api.puts)
}
