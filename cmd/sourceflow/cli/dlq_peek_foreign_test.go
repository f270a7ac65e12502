package cli_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A message of another producer that filled the attribute budget is
// dead-lettered with a packed envelope holding the reason and the
// attribute moved to make room: peek shows that reason.
func TestDLQPeek_ShowsTheReasonOfAFullForeignMessage(t *testing.T) {
	e := newDLQEnv(t)
	attrs := map[string]string{sourceflow.MetaEnvelope: `{"sf_failure":"cqrs: unknown type orders.Nope","header_0":"value 0"}`}
	for i := 1; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("header_%d", i)] = fmt.Sprintf("value %d", i)
	}
	_, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL("orders-order-events-dlq")), MessageBody: aws.String(`{"id":"o-1"}`),
		MessageAttributes: stringAttributes(attrs),
	})
	require.NoError(t, err)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  reason      cqrs: unknown type orders.Nope\n")
}
