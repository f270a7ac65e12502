//go:build integration

package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// storeHealthOf serves /healthz with up transports and st's check.
func storeHealthOf(st *stores) (int, string) {
	transports := func(context.Context) (bool, any) { return true, "up" }
	return serveHealthOf(withStoreHealth(transports, st.health))
}

// With -store postgres, a table dropped under the running services makes
// /healthz 503 naming it, and 200 again once it is back.
func TestHealthReportsADroppedPostgresTable(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, dsn, "SOURCEFLOW_POSTGRES_DSN: make test starts PostgreSQL")
	ctx := context.Background()
	prefix := "exh" + strings.ToLower(rand.Text()[:8]) + "_"
	st, err := openSQLStores(ctx, options{store: "postgres", dsn: dsn, tablePrefix: prefix})
	require.NoError(t, err)
	b := st.backend.(*sqlbackend.Backend)
	db := b.Store().DB()
	t.Cleanup(func() {
		for _, suffix := range []string{"sequences", "commands", "entities", "views", "schema_version", "idempotency", "idempotency_version"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + prefix + suffix)
			assert.NoError(t, err)
		}
		assert.NoError(t, st.close())
	})
	status, body := storeHealthOf(st)
	require.Equal(t, http.StatusOK, status, body)

	_, err = db.ExecContext(ctx, "DROP TABLE "+prefix+"entities")
	require.NoError(t, err)
	status, body = storeHealthOf(st)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Contains(t, body, `"status":"down","store":"postgres"`)
	assert.Contains(t, body, "sqlbackend: check: table missing: "+prefix+"entities (")
	assert.Contains(t, body, "ERROR: relation \\\""+prefix+"entities\\\" does not exist")

	for _, stmt := range b.Store().SchemaSQL() {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	status, body = storeHealthOf(st)
	assert.Equal(t, http.StatusOK, status, body)
}

// With -store dynamodb, a table deleted under the running services makes
// /healthz 503 naming it, and 200 again once a store in create mode made
// it again.
func TestHealthReportsADeletedDynamoDBTable(t *testing.T) {
	prefix, client := onDynamoDB(t, "exh")
	ctx := context.Background()
	opts := options{store: "dynamodb", tablePrefix: prefix, provision: "create"}
	st, err := openDynamoStores(ctx, opts, false)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.close()) })
	status, body := storeHealthOf(st)
	require.Equal(t, http.StatusOK, status, body)

	views := st.backend.(*dynamobackend.Backend).Store().Tables()[2].Name
	_, err = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(views)})
	require.NoError(t, err)
	status, body = storeHealthOf(st)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Contains(t, body, `"status":"down","store":"dynamodb"`)
	assert.Contains(t, body, "dynamobackend: check: dynamodb: table "+views+": table missing (create it")

	again, err := openDynamoStores(ctx, opts, false)
	require.NoError(t, err)
	require.NoError(t, again.close())
	status, body = storeHealthOf(st)
	assert.Equal(t, http.StatusOK, status, body)
}
