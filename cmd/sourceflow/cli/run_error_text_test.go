package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// answerSQS fails every read with err, as an endpoint that answers
// whatever it likes.
type answerSQS struct {
	*awsbustest.SQS
	err error
}

func (q answerSQS) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, q.err
}

func (q answerSQS) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, q.err
}

// The error a command prints, which quotes what an endpoint answered, has
// the characters a terminal would act on escaped (ESC, BEL, CR, C1
// controls), and each of its lines is bounded, keeping its beginning and
// its end; its own lines stay lines.
func TestRun_PrintsAnErrorTheTerminalCannotActOn(t *testing.T) {
	fake, path := appliedOrders(t)
	fake.noSTS = true
	answer := errors.New("Evil\x1b[2J\x1b]0;title\a\r\u009b31m" + strings.Repeat("A", 1<<20) + "ends")

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = answerSQS{SQS: fake.sqs, err: answer}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitAWS, code)
	for _, c := range []string{"\x1b", "\a", "\r", "\u009b"} {
		assert.NotContains(t, errOut, c)
	}
	assert.Contains(t, errOut, `Evil\x1b[2J\x1b]0;title\a\r\u009b31mAAA`)
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	assert.Len(t, lines, 2, "the error and its advice:\n%.400s", errOut)
	for _, line := range lines {
		assert.Less(t, len(line), 20000, "%.200q…", line)
	}
	assert.True(t, strings.HasSuffix(lines[0], "AAAends"), "%.200q", lines[0][max(0, len(lines[0])-200):])
	assert.Contains(t, lines[1], "check the credentials")
}
