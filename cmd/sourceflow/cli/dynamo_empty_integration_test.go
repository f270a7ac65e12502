//go:build integration

package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// A misspelt --outbox on a table that holds another outbox's items: each
// command says the outbox holds no item, and names the outboxes the table
// holds, instead of zeros alone. The exit stays 0: an outbox that relayed
// everything holds no item either.
func TestDynamo_AnOutboxHoldingNoItemIsSaidSoWithTheTablesOutboxes(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutbox(t, api, "orders.Refund", "refused for good", "m-1")

	for _, args := range [][]string{{"depth"}, {"depth", "-o", "json"}, {"dead-letters"}, {"dead-letters", "--summary"}, {"redrive"}, {"redrive", "--yes"}} {
		cmd := append(append([]string{"dynamo"}, args...), "--table-prefix", prefix, "--outbox", "paymnets")
		_, errOut, code := runDynamo(t, api, cmd...)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, errOut, "note: outbox paymnets holds no item in table "+prefix+"outbox", args)
		assert.Contains(t, errOut, "the table holds items of outbox payments", args)
	}

	_, errOut, code := runDynamo(t, api, "dynamo", "depth", "--table-prefix", prefix, "--outbox", "payments")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.NotContains(t, errOut, "holds no item")
}
