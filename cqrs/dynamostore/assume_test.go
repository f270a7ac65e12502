package dynamostore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// describingDynamo answers DescribeTable with the keys of keys[table] (name
// and type pairs; none: the stores'), a table not in keys as missing, and
// any other request with 200 {}; it records the operations it answers.
type describingDynamo struct {
	keys map[string][]string
	mu   sync.Mutex
	ops  []string
}

func (d *describingDynamo) Do(req *http.Request) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	d.mu.Lock()
	d.ops = append(d.ops, op)
	d.mu.Unlock()
	status, body := http.StatusOK, "{}"
	if op == "DescribeTable" {
		var in struct{ TableName string }
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, err
		}
		keys, ok := d.keys[in.TableName]
		status, body = dynamostore.TableDescribed(raw, keys...)
		if !ok {
			status, body = http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",`+
				`"message":"Requested resource not found"}`
		}
	}
	return &http.Response{
		StatusCode: status, Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
	}, nil
}

func (d *describingDynamo) client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  d, Retryer: aws.NopRetryer{},
	})
}

// storesKeys describes every table of the stores, the outbox's included,
// with the stores' keys.
func storesKeys() map[string][]string {
	return map[string][]string{"sourceflow_commands": nil, "sourceflow_entities": nil, "sourceflow_views": nil, "sourceflow_outbox": nil}
}

// Under ProvisionAssume, New and NewOutbox read each table's description
// once, and nothing else, and start on tables with the stores' keys.
func TestNewAssumingReadsEachTablesKeySchemaOnce(t *testing.T) {
	d := &describingDynamo{keys: storesKeys()}
	ctx := context.Background()

	st, err := dynamostore.New(ctx, dynamostore.Config{Client: d.client(), Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	_, err = dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "svc"})
	require.NoError(t, err)

	assert.Equal(t, []string{"DescribeTable", "DescribeTable", "DescribeTable", "DescribeTable"}, d.ops)
}

// A table made elsewhere whose keys are not the stores' would refuse every
// write as invalid, dead-lettering every message: New refuses it instead,
// naming the table, its keys and the stores', and names a missing table.
func TestNewAssumingRefusesTablesWithOtherKeysOrMissing(t *testing.T) {
	keys := storesKeys()
	keys["sourceflow_entities"] = []string{"id", "S"}
	keys["sourceflow_views"] = []string{"pk", "S", "sk", "N"}
	delete(keys, "sourceflow_commands")
	d := &describingDynamo{keys: keys}

	_, err := dynamostore.New(context.Background(), dynamostore.Config{Client: d.client(), Provisioning: topology.ProvisionAssume})

	require.ErrorIs(t, err, topology.ErrDrift)
	require.ErrorIs(t, err, topology.ErrNotFound)
	assert.ErrorContains(t, err, "dynamostore: ")
	assert.ErrorContains(t, err, "tables sourceflow_commands: ")
	assert.ErrorContains(t, err, "table sourceflow_entities: key schema is (id HASH S), want (pk HASH S, sk RANGE S)")
	assert.ErrorContains(t, err, "table sourceflow_views: key schema is (pk HASH S, sk RANGE N), want (pk HASH S, sk RANGE S)")
}

// NewOutbox checks the outbox table likewise.
func TestNewOutboxAssumingRefusesATableWithOtherKeys(t *testing.T) {
	keys := storesKeys()
	keys["sourceflow_outbox"] = []string{"id", "S"}
	d := &describingDynamo{keys: keys}
	ctx := context.Background()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: d.client(), Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)

	_, err = dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "svc"})

	require.ErrorIs(t, err, topology.ErrDrift)
	assert.ErrorContains(t, err, "dynamostore: outbox: ")
	assert.ErrorContains(t, err, "table sourceflow_outbox: key schema is (id HASH S), want (pk HASH S, sk RANGE S)")
}
