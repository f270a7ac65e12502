package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDynamo_UsageErrorsExitTwoBeforeAnyClient(t *testing.T) {
	target := []string{"--table-prefix", "sourceflow_", "--outbox", "payments"}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no outbox", []string{"dynamo", "depth", "--table-prefix", "sourceflow_"}, `required flag(s) "outbox" not set`},
		{"no prefix", []string{"dynamo", "redrive", "--outbox", "payments"}, `required flag(s) "table-prefix" not set`},
		{"empty outbox", []string{"dynamo", "dead-letters", "--table-prefix", "sourceflow_", "--outbox", ""}, "name the outbox: --table-prefix P"},
		{"empty prefix", []string{"dynamo", "depth", "--table-prefix", "", "--outbox", "payments"}, "name the outbox: --table-prefix P"},
		{"prefix no table name", []string{"dynamo", "depth", "--table-prefix", "bad prefix/", "--outbox", "payments"}, "--table-prefix bad prefix/:"},
		{"outbox too long", []string{"dynamo", "depth", "--table-prefix", "sourceflow_", "--outbox", strings.Repeat("o", 201)}, "--outbox: 201 bytes, want at most 200"},
		{"max 0", append([]string{"dynamo", "dead-letters", "--max", "0"}, target...), "--max 0: want 1..1000"},
		{"max too large", append([]string{"dynamo", "dead-letters", "--max", "1001"}, target...), "--max 1001: want 1..1000"},
		{"summary with max", append([]string{"dynamo", "dead-letters", "--summary", "--max", "5"}, target...), "--summary counts every dead letter: leave out --max"},
		{"letters bad output", append([]string{"dynamo", "dead-letters", "-o", "yaml"}, target...), `--output "yaml": want table or json`},
		{"depth bad output", append([]string{"dynamo", "depth", "-o", "yaml"}, target...), `--output "yaml": want table or json`},
		{"no timeout", append([]string{"dynamo", "redrive", "--timeout", "0s"}, target...), "--timeout 0s: want a positive duration"},
		{"unknown command", []string{"dynamo", "drive"}, `unknown command "drive" for "sourceflow dynamo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS()
			_, errOut, code := f.run(t, tt.args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.stderr)
			assert.Zero(t, f.clientCalls.Load(), "no client built")
		})
	}
}

// Without a DynamoDB client of the SDK (the fake clients have none), the
// command says so instead of calling anything.
func TestDynamo_NoDynamoDBClientIsAUsageError(t *testing.T) {
	_, errOut, code := newFakeAWS().run(t, "dynamo", "depth", "--table-prefix", "sourceflow_", "--outbox", "payments")
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "no DynamoDB client")
}

// A DynamoDB that does not answer is a failed call (exit 3), advised with
// the DynamoDB client's endpoint and the help that lists the permissions.
func TestDynamo_UnreachableEndpointExitsThree(t *testing.T) {
	api := dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1})
	f := newFakeAWS()
	cfg, _, errOut := f.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.DynamoDB = api
		return c, err
	}
	code := cli.Run(context.Background(), cfg, []string{"dynamo", "depth", "--table-prefix", "sourceflow_", "--outbox", "payments"})
	assert.Equal(t, cli.ExitAWS, code, errOut.String())
	assert.Contains(t, errOut.String(), "dynamo depth: ")
	assert.Contains(t, errOut.String(), "http://127.0.0.1:1")
	assert.Contains(t, errOut.String(), "`sourceflow dynamo --help` lists the permissions needed")
}
