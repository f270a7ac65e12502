//go:build integration

package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// countingClient counts the bytes of the responses of the client it wraps.
type countingClient struct {
	inner dynamodb.HTTPClient
	read  *atomic.Int64
}

func (c countingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.inner.Do(req)
	if err == nil {
		resp.Body = countingBody{ReadCloser: resp.Body, read: c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	read *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read.Add(int64(n))
	return n, err
}

// The summary reads the dead letters without their payloads: 4 dead
// letters of 200 KB payloads are counted on far less than one payload's
// bytes read.
func TestDynamo_SummaryReadsNoPayload(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutboxOf(t, api, "orders.Refund", "refused for good", bytes.Repeat([]byte("x"), 200_000), "m-1", "m-2", "m-3", "m-4")
	var read atomic.Int64
	counted := dynamodb.New(api.Options(), func(o *dynamodb.Options) { o.HTTPClient = countingClient{inner: o.HTTPClient, read: &read} })

	out, errOut, code := runDynamo(t, counted, "dynamo", "dead-letters", "--summary", "--table-prefix", prefix, "--outbox", "payments")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "4 dead letters of outbox payments")
	assert.Regexp(t, `orders.Refund\s+4`, out)
	assert.Less(t, read.Load(), int64(100_000), "bytes read")
}

// The summary counts more than 1,000 dead letters: every one, not "at
// least 1,000". They are written as the outbox keeps its dead letters
// (TestDynamo_ListsSummarizesRedrivesAndMeasuresAnOutboxsDeadLetters reads
// a real outbox's): in each shard's dead-letter partition.
func TestDynamo_SummaryCountsPastAThousand(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutbox(t, api, "orders.Refund", "refused for good", "m-0")
	writeDeadLetters(t, api, prefix+"outbox", 1_049)

	out, errOut, code := runDynamo(t, api, "dynamo", "dead-letters", "--summary", "--table-prefix", prefix, "--outbox", "payments")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "1050 dead letters of outbox payments")
	assert.Regexp(t, `orders.Refund\s+1050`, out)
}

// writeDeadLetters writes n dead letters of the outbox "payments" into
// table, spread over its 8 shards' dead-letter partitions.
func writeDeadLetters(t *testing.T, api *dynamodb.Client, table string, n int) {
	t.Helper()
	var puts []types.WriteRequest
	for i := range n {
		id := fmt.Sprintf("w-%d", i)
		puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"pk":          &types.AttributeValueMemberS{Value: fmt.Sprintf("payments#%d#dead", i%8)},
			"sk":          &types.AttributeValueMemberS{Value: fmt.Sprintf("%019d#%s", time.Now().UnixNano(), id)},
			"uuid":        &types.AttributeValueMemberS{Value: id},
			"destination": &types.AttributeValueMemberS{Value: "payments.fifo"},
			"metadata":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{sourceflow.MetaType: &types.AttributeValueMemberS{Value: "orders.Refund"}}},
			"payload":     &types.AttributeValueMemberB{Value: []byte("{}")},
			"failure":     &types.AttributeValueMemberS{Value: `publish to "payments.fifo": refused for good`},
		}}})
	}
	for batch := range slices.Chunk(puts, 25) {
		out, err := api.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch}})
		require.NoError(t, err)
		require.Empty(t, out.UnprocessedItems)
	}
}
