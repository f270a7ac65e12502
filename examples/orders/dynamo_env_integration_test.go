//go:build integration

package main

import (
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// onDynamoDB points the example's DynamoDB stores at the emulator make
// test starts, and nothing else at AWS, and returns a table prefix of the
// test's own (name and a random part), whose store tables are deleted at
// the end of the test, with a client of the emulator.
func onDynamoDB(t *testing.T, name string) (string, *dynamodb.Client) {
	t.Helper()
	client := dynamotest.Client(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(dynamotest.EndpointEnv))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	prefix := name + strings.ToLower(rand.Text()[:8]) + "_"
	for _, table := range storeTables(options{store: "dynamodb", tablePrefix: prefix}) {
		dynamotest.DropTables(t, client, table.Name)
	}
	return prefix, client
}
