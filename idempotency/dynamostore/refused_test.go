package dynamostore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// answeringDynamo answers every request with status and body, as DynamoDB
// answers, and counts the requests of each operation; DescribeTable, which
// New calls under ProvisionAssume, is answered with describe (status and
// body), by default with the store's table.
type answeringDynamo struct {
	status   int
	body     string
	describe func() (int, string)
	mu       sync.Mutex
	ops      map[string]int
}

// storeTable is DescribeTable's answer for a table with the store's keys.
func storeTable() (int, string) {
	return http.StatusOK, `{"Table":{"TableName":"sourceflow_idempotency","TableStatus":"ACTIVE",` +
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}}`
}

// Do implements the SDK's HTTP client.
func (d *answeringDynamo) Do(req *http.Request) (*http.Response, error) {
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	d.mu.Lock()
	d.ops[op]++
	d.mu.Unlock()
	status, body := d.status, d.body
	if op == "DescribeTable" {
		describe := d.describe
		if describe == nil {
			describe = storeTable
		}
		status, body = describe()
	}
	return &http.Response{
		StatusCode: status, Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
	}, nil
}

func (d *answeringDynamo) count(op string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ops[op]
}

// fault is DynamoDB's answer refusing a request with an error of type typ.
func fault(typ, msg string) (int, string) {
	return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#` + typ + `","message":"` + msg + `"}`
}

// answeringClient returns a client of d without the SDK's own retries.
func answeringClient(d *answeringDynamo) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  d, Retryer: aws.NopRetryer{},
	})
}

// answeringStore returns a Store, without the SDK's own retries, on a table
// with its keys, whose every other request is answered with status and body.
func answeringStore(t *testing.T, status int, body string) (*dynamostore.Store, *answeringDynamo) {
	t.Helper()
	d := &answeringDynamo{status: status, body: body, ops: map[string]int{}}
	s, err := dynamostore.New(context.Background(), dynamostore.Config{Client: answeringClient(d), Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	return s, d
}

const (
	itemTooLarge = "Item size has exceeded the maximum allowed size"
	keyTooLarge  = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes"
)

// A claim DynamoDB refuses as invalid is refused again however often it is
// sent: the claim fails permanently, at the first request, with DynamoDB's
// reason.
func TestClaimRefusedAsInvalidIsPermanent(t *testing.T) {
	for name, reason := range map[string]string{"item over 400 KB": itemTooLarge, "key over its limit": keyTooLarge} {
		t.Run(name, func(t *testing.T) {
			status, body := fault("ValidationException", reason)
			s, d := answeringStore(t, status, body)

			_, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "", time.Minute)

			require.Error(t, err)
			assert.True(t, sourceflow.IsPermanent(err), "%v", err)
			assert.ErrorContains(t, err, reason)
			assert.Equal(t, 1, d.count("PutItem"), "not sent again")
		})
	}
}

// Only a refusal as invalid is permanent: a throttled claim, retried until
// the store gives up, is an ordinary failure (the message is delivered
// again), and a failed condition is an answer (here: a duplicate).
func TestClaimNotRefusedAsInvalidIsNotPermanent(t *testing.T) {
	ctx := context.Background()
	key := idempotency.Key{Consumer: "c", MessageID: "m-1"}
	status, body := fault("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded")
	throttled, _ := answeringStore(t, status, body)
	_, err := throttled.Claim(ctx, key, "", time.Minute)
	require.ErrorContains(t, err, "ProvisionedThroughputExceededException")
	assert.False(t, sourceflow.IsPermanent(err), "%v", err)
	assert.Equal(t, int64(8), throttled.RetryStats().Throttled, "retried as throttled")

	expires := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	_, body = fault("ConditionalCheckFailedException", "The conditional request failed")
	body = strings.TrimSuffix(body, "}") + `,"Item":{"id":{"S":"1:c/m-1"},"status":{"S":"completed"},` +
		`"token":{"S":"t"},"expires_ms":{"N":"` + expires + `"}}}`
	completed, _ := answeringStore(t, http.StatusBadRequest, body)
	res, err := completed.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status)
}

// The middleware dead-letters at once a message whose claim DynamoDB
// refuses as invalid, in both modes: its error is permanent and says why,
// and the handler does not run.
func TestMiddlewareFailsPermanentlyOnAClaimRefusedAsInvalid(t *testing.T) {
	for _, transactional := range []bool{false, true} {
		t.Run("transactional="+strconv.FormatBool(transactional), func(t *testing.T) {
			status, body := fault("ValidationException", itemTooLarge)
			s, d := answeringStore(t, status, body)
			m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{Consumer: "c", Transactional: transactional})
			require.NoError(t, err)
			ran := false
			h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
				ran = true
				return nil, nil
			})
			msg := message.NewMessage(watermill.NewUUID(), []byte("payload"))
			msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")

			_, err = h(msg)

			require.Error(t, err)
			assert.True(t, sourceflow.IsPermanent(err), "%v", err)
			assert.ErrorContains(t, err, itemTooLarge)
			assert.False(t, ran, "the handler did not run")
			assert.Equal(t, 1, d.count("PutItem"), "the claim was not sent again")
			assert.Zero(t, m.Stats().TxRetries)
		})
	}
}

// A key is never what DynamoDB refuses as invalid: the longest the store
// accepts makes an id of 2006 bytes, within DynamoDB's 2048-byte partition
// key, and a longer one is refused with ErrInvalidKey before any request.
func TestClaimRefusesAnOverlongKeyBeforeAnyRequest(t *testing.T) {
	status, body := fault("ValidationException", keyTooLarge)
	s, d := answeringStore(t, status, body)
	longest := strings.Repeat("k", dynamostore.MaxKeyLength)

	_, err := s.Claim(context.Background(), idempotency.Key{Consumer: longest, MessageID: longest + "x"}, "", time.Minute)

	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	assert.Zero(t, d.count("PutItem"), "refused before any request")
}
