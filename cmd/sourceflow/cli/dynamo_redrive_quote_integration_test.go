//go:build integration

package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// The command redrive's dry run suggests quotes an outbox name holding a
// space and a quote as a shell reads it back.
func TestDynamo_RedriveSuggestsACommandWithTheOutboxQuoted(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutbox(t, api, "orders.Refund", "refused for good", "m-1")

	out, errOut, code := runDynamo(t, api, "dynamo", "redrive", "--table-prefix", prefix, "--outbox", "pay ments'x")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "`sourceflow dynamo dead-letters --table-prefix "+prefix+` --outbox 'pay ments'\''x'`+"`")
}
