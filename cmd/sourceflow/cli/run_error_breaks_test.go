package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A line break within what an endpoint answered (\n, \r, NEL, the line
// and paragraph separators) is escaped in the error a command prints, so
// the answer cannot print a line that reads as the CLI's own advice; the
// error's own lines (the call's error, then what to check) stay lines.
func TestRun_EscapesTheLineBreaksOfAnEndpointsAnswer(t *testing.T) {
	fake, path := appliedOrders(t)
	fake.noSTS = true
	forged := "denied\nError: the endpoint is fine: run `sourceflow apply`\r\u0085\u2028\u2029end"
	answer := &smithy.OperationError{ServiceID: "SQS", OperationName: "GetQueueUrl",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: forged}}

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = answerSQS{SQS: fake.sqs, err: answer}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, `denied\nError: the endpoint is fine: run `+"`sourceflow apply`"+`\r\u0085\u2028\u2029end`)
	for _, c := range []string{"\r", "\u0085", "\u2028", "\u2029"} {
		assert.NotContains(t, errOut, c)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	assert.Len(t, lines, 2, "the error and its advice:\n%s", errOut)
	assert.True(t, strings.HasPrefix(lines[0], "Error: health: "), lines[0])
	assert.Contains(t, lines[len(lines)-1], "check the credentials")
}
