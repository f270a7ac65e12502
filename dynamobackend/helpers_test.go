package dynamobackend_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// open makes a Backend on the emulator with a fresh table prefix; its
// tables are dropped, and the Backend closed, after the test.
func open(t *testing.T, cfg dynamobackend.Config) (*dynamobackend.Backend, *dynamodb.Client) {
	t.Helper()
	cfg.Client, cfg.TablePrefix = dynamotest.Client(t), dynamotest.Prefix()
	var names []string
	for _, tb := range dynamobackend.Tables(dynamobackend.Config{TablePrefix: cfg.TablePrefix, Outbox: true}) {
		names = append(names, tb.Name)
	}
	dynamotest.DropTables(t, cfg.Client, names...)
	b, err := dynamobackend.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	return b, cfg.Client
}
