package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// failedTasks is SQS whose move tasks end FAILED, for the reason it
// answers.
type failedTasks struct {
	*awsbustest.MoveTaskSQS
	reason string
}

func (f failedTasks) ListMessageMoveTasks(ctx context.Context, in *sqs.ListMessageMoveTasksInput,
	opts ...func(*sqs.Options)) (*sqs.ListMessageMoveTasksOutput, error) {
	out, err := f.MoveTaskSQS.ListMessageMoveTasks(ctx, in, opts...)
	for i := range out.Results {
		out.Results[i].Status, out.Results[i].FailureReason = aws.String("FAILED"), aws.String(f.reason)
	}
	return out, err
}

// What an endpoint answered outside an error of the SDK (here a move
// task's failure reason, which the command quotes in an error of its own)
// cannot print a line either: its line breaks are escaped, and the error
// stays one line and its advice.
func TestRun_EscapesTheLineBreaksOfAnAnswerQuotedOutsideAnAWSError(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})
	e.client = failedTasks{e.sqs, "denied\nError: the queue is fine: run `sourceflow apply`\r\u2028end"}

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "native")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, `ended FAILED: denied\nError: the queue is fine: run `+"`sourceflow apply`"+`\r\u2028end`)
	for _, line := range strings.Split(errOut, "\n") {
		assert.False(t, strings.HasPrefix(line, "Error: the queue"), "a forged line:\n%s", errOut)
	}
}
