package dynamostore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// fakeCall is one request fakeDynamo answered.
type fakeCall struct {
	op   string
	body string
	at   time.Time
}

// fakeDynamo answers DynamoDB's JSON protocol with what answer returns
// (status and body) for an operation and its request body; without answer,
// or for an empty status, it answers 200 {}. DescribeTable, which New and
// NewOutbox send under ProvisionAssume, it answers itself with a table of
// the stores' keys. A request whose context ended fails, unanswered and
// unrecorded, as on a real connection.
type fakeDynamo struct {
	mu     sync.Mutex
	calls  []fakeCall
	answer func(op, body string) (int, string)
}

// Do implements the SDK's HTTP client.
func (f *fakeDynamo) Do(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{op: op, body: string(raw), at: time.Now()})
	answer := f.answer
	f.mu.Unlock()
	status, out := 0, ""
	switch {
	case op == "DescribeTable":
		status, out = TableDescribed(raw)
	case answer != nil:
		status, out = answer(op, string(raw))
	}
	if status == 0 {
		status, out = http.StatusOK, "{}"
	}
	return &http.Response{
		StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(bytes.NewReader([]byte(out))), Request: req,
	}, nil
}

// ops returns the requests of operation op, in order.
func (f *fakeDynamo) ops(op string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// awsFault is the answer of a DynamoDB error of type typ.
func awsFault(typ, msg string) (int, string) {
	return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#` + typ + `","message":"` + msg + `"}`
}

// fakeOutbox returns a Store on f, without the SDK's own retries, and an
// Outbox "svc" of it in front of inner.
func fakeOutbox(t *testing.T, f *fakeDynamo, inner cqrs.Transport) (*Store, *Outbox) {
	t.Helper()
	return fakeOutboxRelayingAfter(t, f, inner, time.Second)
}

// fakeOutboxRelayingAfter is fakeOutbox with RelayAfter relayAfter.
func fakeOutboxRelayingAfter(t *testing.T, f *fakeDynamo, inner cqrs.Transport, relayAfter time.Duration) (*Store, *Outbox) {
	t.Helper()
	api := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""),
		HTTPClient:  f, Retryer: aws.NopRetryer{},
	})
	st, err := New(context.Background(), Config{Client: api, Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	o, err := NewOutbox(context.Background(), st, OutboxConfig{Transport: inner, Name: "svc", RelayAfter: relayAfter})
	require.NoError(t, err)
	return st, o
}

// recordingTransport is an inner transport that records what it publishes;
// publish, when set, runs first and its error fails the publish.
type recordingTransport struct {
	mu      sync.Mutex
	sent    []string
	closed  bool
	publish func(m *message.Message) error
}

func (r *recordingTransport) Bind(context.Context, sourceflow.Binding) error { return nil }
func (r *recordingTransport) Subscriber(string) (message.Subscriber, error)  { return nil, nil }
func (r *recordingTransport) Publisher(string) (message.Publisher, error) {
	return recordingPublisher{r}, nil
}

// Close records that the transport closed.
func (r *recordingTransport) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// uuids returns the ids of the messages published, in order.
func (r *recordingTransport) uuids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// isClosed reports whether Close was called.
func (r *recordingTransport) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

type recordingPublisher struct{ r *recordingTransport }

func (p recordingPublisher) Publish(_ string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if p.r.publish != nil {
			if err := p.r.publish(m); err != nil {
				return err
			}
		}
		p.r.mu.Lock()
		p.r.sent = append(p.r.sent, m.UUID)
		p.r.mu.Unlock()
	}
	return nil
}

func (recordingPublisher) Close() error { return nil }

// publishInTx publishes a message id with payload to "events" through o
// in a transaction of st, which rolls back, and returns what the publish
// returned.
func publishInTx(t *testing.T, st *Store, o *Outbox, id string, payload []byte) error {
	t.Helper()
	rollback := errors.New("rollback")
	var published error
	err := st.WithinTx(context.Background(), func(ctx context.Context) error {
		pub, err := o.Publisher("events")
		require.NoError(t, err)
		m := message.NewMessage(id, payload)
		m.SetContext(ctx)
		published = pub.Publish("events", m)
		return rollback
	})
	require.ErrorIs(t, err, rollback)
	return published
}

// outboxItemSize is the size DynamoDB counts for the outbox item of a
// message id to "events" with a payload of n bytes, as collect writes it.
func outboxItemSize(t *testing.T, o *Outbox, id string, n int) int {
	t.Helper()
	it := outboxItem{
		PK: o.shardOf(id), SK: digits(time.Now().UnixNano()) + "#000#" + id + "#events",
		UUID: id, Destination: "events", Metadata: map[string]string{}, Payload: make([]byte, n),
	}
	av, err := attributevalue.MarshalMap(it)
	require.NoError(t, err)
	return dynamo.ItemSize(av)
}

// A message is accepted only if its item leaves room for the lease the
// sweep claims it with and the (bounded) reason it may be dead-lettered
// with: one byte more is refused at Publish, for good, with ErrTooLarge.
func TestOutboxKeepsRoomInEachItemForTheSweepsLeaseAndFailure(t *testing.T) {
	st, o := fakeOutbox(t, &fakeDynamo{}, &recordingTransport{})
	fits := 1 + dynamo.MaxItemSize - sweepHeadroom - outboxItemSize(t, o, "m-1", 1)

	require.NoError(t, publishInTx(t, st, o, "m-1", make([]byte, fits)))
	err := publishInTx(t, st, o, "m-1", make([]byte, fits+1))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorIs(t, err, sourceflow.ErrPermanent)
	assert.Contains(t, err.Error(), "m-1")

	it := outboxItem{
		PK: o.shardOf("m-1"), SK: digits(time.Now().UnixNano()) + "#000#m-1#events",
		UUID: "m-1", Destination: "events", Metadata: map[string]string{}, Payload: make([]byte, fits),
		Lease:   time.Now().Add(time.Hour).UnixNano(),
		Failure: failureText(errors.New(strings.Repeat("no publisher ", 1000))),
	}
	av, err := attributevalue.MarshalMap(it)
	require.NoError(t, err)
	assert.LessOrEqual(t, dynamo.ItemSize(av), dynamo.MaxItemSize, "claimed and dead-lettered, the accepted item still fits")
	dead := deadItem(it, it.Failure, it.Lease)
	av, err = attributevalue.MarshalMap(dead)
	require.NoError(t, err)
	assert.LessOrEqual(t, dynamo.ItemSize(av), dynamo.MaxItemSize, "moved to its shard's dead letters, it still fits")
}

// A dead letter's reason is cut to maxFailureText bytes, on character
// boundaries, keeping its beginning and its end, where the cause is; a
// short one is kept whole.
func TestOutboxCutsALongFailureReason(t *testing.T) {
	assert.Equal(t, "publish refused", failureText(errors.New("publish refused")))
	long := failureText(fmt.Errorf("publish %s: %w", strings.Repeat("é", maxFailureText), errors.New("no publisher")))
	assert.LessOrEqual(t, len(long), maxFailureText)
	assert.True(t, strings.HasPrefix(long, "publish é"))
	assert.True(t, strings.HasSuffix(long, "é: no publisher"))
	assert.Contains(t, long, " … ")
	assert.True(t, utf8.ValidString(long))
}

// shardItems answers a Query of shard "svc#0" with items of the given ids
// (to "events", written long ago), and of any other shard with nothing.
func shardItems(body string, ids ...string) (int, string) {
	if !strings.Contains(body, `"svc#0"`) {
		return http.StatusOK, `{"Items":[]}`
	}
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = `{"pk":{"S":"svc#0"},"sk":{"S":"000000000000000000` + string(rune('1'+i)) + `#000#` + id + `#events"},` +
			`"uuid":{"S":"` + id + `"},"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="}}`
	}
	return http.StatusOK, `{"Items":[` + strings.Join(items, ",") + `]}`
}

// A message whose claim DynamoDB refuses for good (ValidationException: an
// item too large for the lease), and one whose dead-lettering it refuses,
// do not stop their shard's sweep: they are skipped and counted, and the
// messages behind them go out.
func TestOutboxSweepSkipsAMessageDynamoDBRefusesForGood(t *testing.T) {
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch {
		case op == "Query":
			return shardItems(body, "big", "poison", "small")
		case op == "UpdateItem" && strings.Contains(body, "#big#"):
			return awsFault("ValidationException", "Item size to update has exceeded the maximum allowed size")
		case op == "TransactWriteItems" && strings.Contains(body, "poison refused"):
			return awsFault("ValidationException", "Item size to update has exceeded the maximum allowed size")
		}
		return 0, ""
	}}
	inner := &recordingTransport{publish: func(m *message.Message) error {
		if m.UUID == "poison" {
			return sourceflow.Permanent(errors.New("poison refused"))
		}
		return nil
	}}
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.Error(t, err, "a sweep that skipped messages does not report success")
	assert.Contains(t, err.Error(), `message big for "events" skipped`)
	assert.Contains(t, err.Error(), `message poison for "events" skipped`)
	assert.NotContains(t, err.Error(), "small")
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"small"}, inner.uuids(), "the shard's later message went out")
	assert.Equal(t, int64(2), o.SkippedMessages())
	require.Len(t, f.ops("BatchWriteItem"), 1)
	assert.Contains(t, f.ops("BatchWriteItem")[0].body, "#small#", "and was deleted")
}

// A ValidationException that is not about the item's size (a malformed
// request, a changed table) is an ordinary failure: the claim's shard stops
// there, the messages behind it wait, nothing is skipped, and Sweep returns
// it.
func TestOutboxSweepStopsTheShardAtAValidationExceptionNotAboutSize(t *testing.T) {
	const invalid = "One or more parameter values were invalid: Type mismatch for attribute to update"
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch {
		case op == "Query":
			return shardItems(body, "odd", "later")
		case op == "UpdateItem" && strings.Contains(body, "#odd#"):
			return awsFault("ValidationException", invalid)
		}
		return 0, ""
	}}
	inner := &recordingTransport{}
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), invalid)
	assert.NotContains(t, err.Error(), "skipped")
	assert.Zero(t, n)
	assert.Empty(t, inner.uuids(), "the message behind the failed claim waits")
	assert.Zero(t, o.SkippedMessages())
	claims := f.ops("UpdateItem")
	require.Len(t, claims, 1, "the shard's sweep stopped at the failed claim")
	assert.Contains(t, claims[0].body, "#odd#")
	assert.Empty(t, f.ops("BatchWriteItem"))
}

// Only a ValidationException saying the item is too large is a refusal of
// the item for good; the check ignores case.
func TestOutboxRefusedItemIsASizeRefusalOnly(t *testing.T) {
	validation := func(msg string) error {
		return &smithy.GenericAPIError{Code: "ValidationException", Message: msg}
	}
	assert.True(t, isRefusedItem(validation("Item size has exceeded the maximum allowed size")))
	assert.True(t, isRefusedItem(fmt.Errorf("claim: %w", validation("Item size to update has exceeded the maximum allowed size"))))
	assert.True(t, isRefusedItem(validation("ITEM SIZE HAS EXCEEDED THE MAXIMUM ALLOWED SIZE")))
	assert.False(t, isRefusedItem(validation("One or more parameter values were invalid: Missing the key sk in the item")))
	assert.False(t, isRefusedItem(validation("Invalid UpdateExpression: Syntax error")))
	assert.False(t, isRefusedItem(&smithy.GenericAPIError{Code: "ThrottlingException", Message: "size exceeded"}))
	assert.False(t, isRefusedItem(errors.New("Item size has exceeded the maximum allowed size")))
	assert.False(t, isRefusedItem(nil))
}

// unprocessedDelete answers a BatchWriteItem leaving its delete unprocessed.
const unprocessedDelete = `{"UnprocessedItems":{"sourceflow_outbox":[{"DeleteRequest":{"Key":{"pk":{"S":"svc#0"},"sk":{"S":"x"}}}}]}}`

// deleteOne is the delete of one outbox item.
var deleteOne = []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: outboxItem{PK: "svc#0", SK: "x"}.key()}}}

// Writes a BatchWriteItem leaves unprocessed (DynamoDB's throttling of
// batch writes) are sent again after a backoff, and counted as throttled.
// In the synctest bubble the clock moves only when every goroutine waits,
// so a gap between two requests is a backoff the relay waited.
func TestOutboxBacksOffFromUnprocessedWritesAndCountsThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		passes := 0
		f := &fakeDynamo{answer: func(string, string) (int, string) {
			if passes++; passes <= 3 {
				return http.StatusOK, unprocessedDelete
			}
			return 0, ""
		}}
		st, o := fakeOutbox(t, f, &recordingTransport{})

		require.NoError(t, o.batchWrite(context.Background(), deleteOne))
		calls := f.ops("BatchWriteItem")
		require.Len(t, calls, 4)
		for i := 1; i < len(calls); i++ {
			assert.GreaterOrEqual(t, calls[i].at.Sub(calls[i-1].at), time.Millisecond, "pass %d was sent without a backoff", i+1)
		}
		assert.Equal(t, int64(3), st.RetryStats().Throttled)
	})
}

// Writes left unprocessed pass after pass end in an error after the
// Retry's attempts, counted as exhausted.
func TestOutboxGivesUpOnWritesLeftUnprocessedAfterTheRetrysAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{answer: func(string, string) (int, string) { return http.StatusOK, unprocessedDelete }}
		st, o := fakeOutbox(t, f, &recordingTransport{})

		err := o.batchWrite(context.Background(), deleteOne)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unprocessed")
		assert.Len(t, f.ops("BatchWriteItem"), 8)
		assert.Equal(t, RetryStats{Throttled: 8, Exhausted: 1}, st.RetryStats())
	})
}
