package dynamostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// scannedItems counts the items the Queries of a client read
// (ScannedCount): what DynamoDB charges their read capacity for, filtered
// out or not.
type scannedItems struct{ n atomic.Int64 }

// client returns a client of the emulator that counts into s.
func (s *scannedItems) client(t *testing.T) *dynamodb.Client {
	return dynamodb.New(dynamotest.Client(t).Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("scanned", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if q, ok := out.Result.(*dynamodb.QueryOutput); ok {
					s.n.Add(int64(q.ScannedCount))
				}
				return out, md, err
			}), middleware.After)
		})
	})
}

// emulatorOutbox returns a Store on api, with tables of its own, and an
// Outbox "svc" of it in front of inner that sweeps only when the test calls
// Sweep, relaying messages written more than a second ago.
func emulatorOutbox(t *testing.T, api *dynamodb.Client, inner *recordingTransport) (*Store, *Outbox) {
	t.Helper()
	prefix := dynamotest.Prefix()
	st, err := New(context.Background(), Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), OutboxTable(Config{TablePrefix: prefix})) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	o, err := NewOutbox(context.Background(), st, OutboxConfig{Transport: inner, Name: "svc", RelayAfter: time.Second, SweepInterval: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close() })
	return st, o
}

// flakyTransport returns an inner transport that refuses for good the
// messages whose id starts with "dead-" and fails the others while down
// is set.
func flakyTransport(down *atomic.Bool) *recordingTransport {
	return &recordingTransport{publish: func(m *message.Message) error {
		switch {
		case strings.HasPrefix(m.UUID, "dead-"):
			return sourceflow.Permanent(errors.New("refused for good"))
		case down.Load():
			return errors.New("inner transport down")
		}
		return nil
	}}
}

// sweepRelaying sweeps o until its sweeps relayed want messages (once they
// are old enough; a claim whose answer was lost and that the SDK sent again
// finds its own lease and leaves the message to a later sweep) and returns
// how many items the last sweep read.
func sweepRelaying(t *testing.T, o *Outbox, scanned *scannedItems, want int) int64 {
	t.Helper()
	var read int64
	relayed := 0
	require.Eventually(t, func() bool {
		scanned.n.Store(0)
		n, err := o.Sweep(context.Background())
		read = scanned.n.Load()
		relayed += n
		return err == nil && relayed == want
	}, 30*time.Second, 100*time.Millisecond)
	return read
}

// A sweep reads the messages it may relay, not the dead letters: with 500
// dead letters and one message to relay, it reads one item (it read all
// 501, 100 a page, while dead letters stayed in their shard).
func TestOutboxSweepDoesNotReadTheDeadLetters(t *testing.T) {
	ctx := context.Background()
	var scanned scannedItems
	var down atomic.Bool
	inner := flakyTransport(&down)
	st, o := emulatorOutbox(t, scanned.client(t), inner)
	for tx := range 5 {
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = fmt.Sprintf("dead-%d-%03d", tx, i)
		}
		require.NoError(t, commitIn(ctx, st, o, ids...))
	}
	require.Eventually(t, func() bool {
		_, err := o.Sweep(ctx)
		dead, derr := o.DeadLetters(ctx, OutboxDeadLetterQuery{Max: 1000})
		return err == nil && derr == nil && len(dead) == 500
	}, 120*time.Second, 200*time.Millisecond)

	down.Store(true) // the relay after the commit fails
	require.NoError(t, commitOne(st, o, "m-live"))
	down.Store(false)
	read := sweepRelaying(t, o, &scanned, 1)
	t.Logf("a sweep of 500 dead letters and 1 live message read %d items", read)
	assert.Equal(t, int64(1), read, "the sweep read only the message it relayed")
	assert.Equal(t, []string{"m-live"}, inner.uuids())
	dead, err := o.DeadLetters(ctx, OutboxDeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Len(t, dead, 500, "the dead letters are kept, with their reason")
	assert.Contains(t, dead[0].Reason, "refused for good")
}

// Dead letters an earlier version kept in their shard (a failure attribute)
// are listed, in order, and not relayed; the first sweep that reads them
// moves them to the shard's dead letters, so that later sweeps do not read
// them; Redrive returns them to the sweep.
func TestOutboxSweepMovesTheDeadLettersAnEarlierVersionKeptInTheShard(t *testing.T) {
	ctx := context.Background()
	var scanned scannedItems
	var down atomic.Bool
	inner := flakyTransport(&down)
	st, o := emulatorOutbox(t, scanned.client(t), inner)
	old := []string{"old-1", "old-2", "old-3"}
	for i, id := range old {
		putItem(t, o, outboxItem{
			PK: "svc#0", SK: digits(int64(i+1)) + "#000#" + id + "#events", UUID: id, Destination: "events",
			Metadata: map[string]string{"k": id}, Payload: []byte(id), Lease: 1, Failure: "reason of " + id,
		})
	}
	assertDeadLetters(t, o, old)
	down.Store(true)
	require.NoError(t, commitOne(st, o, "m-1"))
	down.Store(false)

	sweepRelaying(t, o, &scanned, 1)
	assert.Equal(t, []string{"m-1"}, inner.uuids(), "the dead letters were not relayed")
	assert.Empty(t, partitionItems(t, o, "svc#0"), "moved out of the shard")
	assert.Len(t, partitionItems(t, o, "svc#0#dead"), len(old))
	assertDeadLetters(t, o, old)
	scanned.n.Store(0)
	_, err := o.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, scanned.n.Load(), "a later sweep reads none of them")

	back, err := o.Redrive(ctx)
	require.NoError(t, err)
	// The emulator ignores ClientRequestToken: a move the SDK sent again
	// after its answer was lost fails its condition there, and Redrive
	// takes it for another instance's.
	assert.True(t, back > 0 && back <= len(old), "returned %d", back)
	sweepRelaying(t, o, &scanned, len(old))
	assert.Equal(t, append([]string{"m-1"}, old...), inner.uuids(), "redriven, in order")
	assertDeadLetters(t, o, nil)
}

// assertDeadLetters asserts that o lists the dead letters of the given
// ids, in order, each whole, with its reason.
func assertDeadLetters(t *testing.T, o *Outbox, ids []string) {
	t.Helper()
	assertFirstDeadLetters(t, o, 1000, ids)
}

// assertFirstDeadLetters asserts that the first max dead letters o lists
// are those of the given ids, in order, each whole, with its reason.
func assertFirstDeadLetters(t *testing.T, o *Outbox, max int, ids []string) {
	t.Helper()
	dead, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: max})
	require.NoError(t, err)
	var got []string
	for _, d := range dead {
		got = append(got, d.Message.UUID)
		assert.Equal(t, "reason of "+d.Message.UUID, d.Reason)
		assert.Equal(t, d.Message.UUID, d.Message.Metadata.Get("k"))
		assert.Equal(t, d.Message.UUID, string(d.Message.Payload))
		assert.Equal(t, "events", d.Destination)
	}
	assert.Equal(t, ids, got)
}

// putItem writes it into o's table as it is.
func putItem(t *testing.T, o *Outbox, it outboxItem) {
	t.Helper()
	av, err := attributevalue.MarshalMap(it)
	require.NoError(t, err)
	_, err = o.api.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(o.table), Item: av})
	require.NoError(t, err)
}

// partitionItems returns the items of partition pk of o's table.
func partitionItems(t *testing.T, o *Outbox, pk string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := o.api.Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String(o.table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	require.NoError(t, err)
	return out.Items
}

// A dead-lettering whose lease condition fails (another instance took the
// message over meanwhile: DynamoDB cancels the move) leaves the message to
// that instance: nothing is kept or counted, no error is reported, and the
// shard's sweep ends there.
func TestOutboxSweepLeavesTheDeadLetteringOfAMessageAnotherInstanceTookOver(t *testing.T) {
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch op {
		case "Query":
			return shardItems(body, "dead-1", "m-after")
		case "TransactWriteItems":
			return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"message":"Transaction cancelled","CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"}]}`
		}
		return 0, ""
	}}
	inner := flakyTransport(new(atomic.Bool))
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Empty(t, inner.uuids(), "the shard's sweep ended at the message taken over")
	assert.Empty(t, o.DeadLettersByDestination())
	require.Len(t, f.ops("TransactWriteItems"), 1)
	assert.Contains(t, f.ops("TransactWriteItems")[0].body, `"ConditionExpression":"#0 = :0"`, "the move holds only under the sweep's lease")
}

// A dead-lettering DynamoDB applied but whose answer was lost, sent again,
// fails its lease condition (an emulator ignores the ClientRequestToken that
// makes DynamoDB answer it as applied): the dead letter, which keeps the
// sweep's lease, shows the move applied, so it is counted and the shard's
// sweep goes on.
func TestOutboxSweepRecognisesADeadLetteringItAppliedBefore(t *testing.T) {
	var lease atomic.Value
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch op {
		case "Query":
			return shardItems(body, "dead-1", "m-after")
		case "TransactWriteItems":
			var in struct {
				TransactItems []struct {
					Put *struct{ Item map[string]struct{ N string } }
				}
			}
			if err := json.Unmarshal([]byte(body), &in); err == nil && len(in.TransactItems) == 2 && in.TransactItems[1].Put != nil {
				lease.Store(in.TransactItems[1].Put.Item[attrLease].N)
			}
			return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"message":"Transaction cancelled","CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"}]}`
		case "GetItem":
			if n, ok := lease.Load().(string); ok && n != "" {
				return http.StatusOK, `{"Item":{"lease":{"N":"` + n + `"}}}`
			}
		}
		return 0, ""
	}}
	inner := flakyTransport(new(atomic.Bool))
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"m-after"}, inner.uuids(), "the shard's sweep went on")
	assert.Equal(t, map[string]int64{"events": 1}, o.DeadLettersByDestination())
	require.Len(t, f.ops("GetItem"), 1)
	assert.Contains(t, f.ops("GetItem")[0].body, `"svc#0#dead"`)
}
