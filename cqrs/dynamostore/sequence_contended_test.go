package dynamostore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// lostRaces answers every TransactWriteItems as if another writer had moved
// the entity's sequence on first (the counter's condition failed), and
// passes every other request to DynamoDB.
type lostRaces struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	transactions atomic.Int64
}

func (l *lostRaces) Do(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
		return l.inner.Do(req)
	}
	l.transactions.Add(1)
	body := `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"cancelled",` +
		`"CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"},{"Code":"None"},{"Code":"None"}]}`
	return &http.Response{
		StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
	}, nil
}

type contendedCommand struct{ N int }

// A Send through the outbox that keeps losing the race for its entity's
// sequence gives up after the command store's 16 attempts, not 16 for each
// of the CommandBus's conflict retries, and its error is no conflict.
func TestASendThatKeepsLosingTheSequenceRaceGivesUpAfterSixteenAttempts(t *testing.T) {
	ctx := context.Background()
	plain := dynamotest.Client(t)
	racing := &lostRaces{inner: plain.Options().HTTPClient}
	api := dynamodb.New(plain.Options(), func(o *dynamodb.Options) { o.HTTPClient = racing })
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range st.Tables() {
		dynamotest.DropTables(t, plain, tb.Name)
	}
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	box, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: inner, Name: "contended"})
	require.NoError(t, err)
	// The service does not close a transport it was given: the outbox's
	// sweep, whose client logs its retries to t, stops before the test ends
	// (after the service, before the tables are dropped).
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "contended", Transport: box, CommandStore: st.Commands()})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[contendedCommand](svc, "contended.Command", "contended-commands"))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })

	_, err = cqrs.NewAggregate(svc, "contender").Send(ctx, "e-1", contendedCommand{N: 1})
	require.Error(t, err)
	assert.NotErrorIs(t, err, cqrs.ErrConflict, "a conflict would be retried again by its caller")
	assert.ErrorIs(t, err, dynamostore.ErrSequenceContended)
	assert.Equal(t, int64(16), racing.transactions.Load())
}
