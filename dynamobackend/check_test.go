package dynamobackend_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestCheck_ReportsADroppedTableUntilItIsBack checks that Check passes on
// a new Backend, fails naming each deleted table (the outbox's once
// Configure made it) and the remedy, and passes again once a Backend in
// create mode made them again.
func TestCheck_ReportsADroppedTableUntilItIsBack(t *testing.T) {
	ctx := context.Background()
	b, client := open(t, dynamobackend.Config{Outbox: true})
	require.NoError(t, b.Check(ctx), "the outbox's table is checked before Configure made it")
	configureOutbox(t, b)
	require.NoError(t, b.Check(ctx))
	views := b.Store().Tables()[2].Name
	prefix := strings.TrimSuffix(views, "views")
	outbox := dynamobackend.Tables(dynamobackend.Config{TablePrefix: prefix, Outbox: true})[4].Name
	for _, table := range []string{views, outbox} {
		_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
		require.NoError(t, err)
	}

	err := b.Check(ctx)
	require.ErrorIs(t, err, dynamobackend.ErrMissingTable)
	assert.ErrorIs(t, err, sqlbackend.ErrMissingTable, "one value for both backends")
	assert.True(t, strings.HasPrefix(err.Error(), "dynamobackend: check: "), err.Error())
	for _, table := range []string{views, outbox} {
		assert.ErrorContains(t, err, "dynamodb: table "+table+": table missing (create it")
	}

	again, err := dynamobackend.New(ctx, dynamobackend.Config{Client: client, TablePrefix: prefix, Outbox: true})
	require.NoError(t, err)
	configureOutbox(t, again)
	require.NoError(t, again.Close())
	assert.NoError(t, b.Check(ctx))
}

// configureOutbox configures a service on b, which makes its outbox's
// table.
func configureOutbox(t *testing.T, b *dynamobackend.Backend) {
	t.Helper()
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	cfg := cqrs.ServiceConfig{Name: "billing", Transport: inner}
	require.NoError(t, b.Configure(context.Background(), &cfg))
}

// TestCheck_ReportsADynamoDBThatStopsAnswering checks that Check fails,
// naming each table, while the endpoint refuses connections, and passes
// once it answers again.
func TestCheck_ReportsADynamoDBThatStopsAnswering(t *testing.T) {
	ctx := context.Background()
	first, client := open(t, dynamobackend.Config{})
	sw := &switchedEndpoint{inner: client.Options().HTTPClient, closed: closedAddr(t)}
	prefix := strings.TrimSuffix(first.Store().Tables()[0].Name, "commands")
	b, err := dynamobackend.New(ctx, dynamobackend.Config{
		Client: dynamodb.New(client.Options(), func(o *dynamodb.Options) { o.HTTPClient = sw }), TablePrefix: prefix,
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	require.NoError(t, b.Check(ctx))

	sw.down.Store(true)
	err = b.Check(ctx)
	require.Error(t, err)
	assert.ErrorContains(t, err, "connection refused")
	for _, name := range b.Store().Tables() {
		assert.ErrorContains(t, err, "dynamodb: table "+name.Name+": ")
	}

	sw.down.Store(false)
	assert.NoError(t, b.Check(ctx))
}

// switchedEndpoint sends the client's requests to DynamoDB, or, while
// down, to an address that refuses connections.
type switchedEndpoint struct {
	inner  dynamodb.HTTPClient
	closed string
	down   atomic.Bool
}

func (s *switchedEndpoint) Do(req *http.Request) (*http.Response, error) {
	if s.down.Load() {
		req = req.Clone(req.Context())
		req.URL.Host, req.Host = s.closed, s.closed
	}
	return s.inner.Do(req)
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestCheck_ClosedReturnsErrClosed checks that a closed Backend's Check is
// ErrClosed, with no request.
func TestCheck_ClosedReturnsErrClosed(t *testing.T) {
	b, _ := open(t, dynamobackend.Config{})
	require.NoError(t, b.Close())
	assert.ErrorIs(t, b.Check(context.Background()), dynamobackend.ErrClosed)
}
