package dynamostore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// refusingDynamo answers every request but DescribeTable (a table of the
// stores' keys, which New reads) with body, as DynamoDB answers a write it
// refuses as invalid (a table whose key schema changed under the service).
type refusingDynamo struct{ body string }

func (r refusingDynamo) Do(req *http.Request) (*http.Response, error) {
	status, body := http.StatusBadRequest, r.body
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".DescribeTable") {
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		status, body = dynamostore.TableDescribed(raw)
	}
	return &http.Response{
		StatusCode: status, Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
	}, nil
}

const (
	refusedWhole = `{"__type":"com.amazon.coral.validation#ValidationException",` +
		`"message":"One or more parameter values were invalid: Missing the key id in the item"}`
	refusedInTx = `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"cancelled",` +
		`"CancellationReasons":[{"Code":"ValidationError","Message":"Missing the key id in the item"},{"Code":"None"}]}`
)

// refusingStore returns a Store whose every request is answered with body.
func refusingStore(t *testing.T, body string) *dynamostore.Store {
	t.Helper()
	api := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  refusingDynamo{body},
	})
	st, err := dynamostore.New(context.Background(), dynamostore.Config{Client: api, Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	return st
}

// A write DynamoDB refuses as invalid is refused again however often it is
// sent: a saga's save written at once (without an Outbox) and a command
// appended outside a transaction fail permanently, with DynamoDB's reason,
// as the writes of a transaction do, so their messages are dead-lettered
// rather than delivered again.
func TestAWriteRefusedAsInvalidOutsideATransactionIsPermanent(t *testing.T) {
	ctx := context.Background()
	cmd := cqrs.StoredCommand{Envelope: cqrs.Envelope{Type: "t", MessageID: "m-1", EntityID: "e-1", Sequence: 1}}
	for name, err := range map[string]error{
		"entity save":              refusingStore(t, refusedWhole).Entities().Save(ctx, "order", "o-1", []byte("{}"), 0),
		"command append":           refusingStore(t, refusedWhole).Commands().Append(ctx, cmd),
		"command append cancelled": refusingStore(t, refusedInTx).Commands().Append(ctx, cmd),
	} {
		require.Error(t, err, name)
		assert.True(t, sourceflow.IsPermanent(err), "%s: %v", name, err)
		assert.Contains(t, err.Error(), "Missing the key id", name)
	}
}
