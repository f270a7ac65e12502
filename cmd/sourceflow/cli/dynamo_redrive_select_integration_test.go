//go:build integration

package cli_test

import (
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// namingRefusal refuses every message for good, with a reason that names
// it: "refused <uuid>".
type namingRefusal struct{ refusingTransport }

func (namingRefusal) Publisher(string) (message.Publisher, error) { return namingPublisher{}, nil }

type namingPublisher struct{ refusingPublisher }

func (namingPublisher) Publish(_ string, msgs ...*message.Message) error {
	return sourceflow.Permanent(errors.New("refused " + msgs[0].UUID))
}

// dynamo redrive --type, --reason, --before and --after redrive only the
// dead letters that match them all and say how many they left; a filter
// that matches none redrives nothing.
func TestDynamoRedrive_RedrivesOnlyTheDeadLettersTheFiltersSelect(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutboxThrough(t, api, namingRefusal{}, "orders.Refund", []byte("{}"), nil, "m-1", "m-2", "m-3")
	target := []string{"--table-prefix", prefix, "--outbox", "payments"}
	redrive := func(args ...string) string {
		t.Helper()
		out, errOut, code := runDynamo(t, api, append(append([]string{"dynamo", "redrive"}, target...), args...)...)
		require.Equal(t, cli.ExitOK, code, errOut)
		return out
	}

	assert.Contains(t, redrive("--reason", "refused m-2"), `1 dead letter whose reason contains "refused m-2" of outbox payments`)
	assert.Contains(t, redrive("--reason", "refused m-2"), "would be redriven, 2 left. Nothing moved")
	assert.Regexp(t, `^Redrove 0 dead letters of type orders.Charge of outbox payments; 3 left.\n$`, redrive("--type", "orders.Charge", "--yes"))
	assert.Contains(t, redrive("--before", "1h", "--yes"), "Redrove 0 dead letters written before ")
	out := redrive("--type", "orders.Refund", "--reason", "refused m-2", "--after", "1h", "--yes")
	assert.Contains(t, out, `Redrove 1 dead letter of type orders.Refund, whose reason contains "refused m-2", written from `)
	assert.Contains(t, out, "; 2 left.\n")

	out, errOut, code := runDynamo(t, api, append([]string{"dynamo", "depth"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "1 message waiting", "the redriven message waits in its shard")
	assert.Contains(t, out, "2 dead letters.")
	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "dead-letters"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "m-1")
	assert.Contains(t, out, "m-3")
	assert.NotContains(t, out, "m-2")
}
