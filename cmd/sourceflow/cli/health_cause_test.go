package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// answeringSQS fails every call as the SDK does when the endpoint answers
// each with status (a request id of its own for each call) and body, which
// the SDK reads as err: after its attempts, its retryer's quota used up.
type answeringSQS struct {
	*awsbustest.SQS
	status int
	err    error
	calls  *atomic.Int32
}

func (q answeringSQS) fail(op string) error {
	answered := &awshttp.ResponseError{RequestID: fmt.Sprintf("req-%04d", q.calls.Add(1)),
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: q.status}}, Err: q.err}}
	return &smithy.OperationError{ServiceID: "SQS", OperationName: op, Err: &retry.MaxAttemptsError{Attempt: 3,
		Err: errors.Join(answered, fmt.Errorf("failed to get rate limit token, %w", ratelimit.QuotaExceededError{Available: 0, Requested: 5}))}}
}

func (q answeringSQS) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, q.fail("GetQueueUrl")
}

func (q answeringSQS) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, q.fail("GetQueueAttributes")
}

// A row of a check whose call failed, while others answered, says the
// cause (AWS's error code and message), not the SDK's whole chain; the
// JSON output keeps the whole error.
func TestHealth_ARowSaysTheCauseOfAFailedCall(t *testing.T) {
	fake, path := appliedOrders(t)
	internal := &smithy.GenericAPIError{Code: "InternalFailure", Message: "We encountered an internal error."}
	change := func(c *cli.Clients) {
		c.SQS = answeringSQS{SQS: fake.sqs, status: http.StatusInternalServerError, err: internal, calls: new(atomic.Int32)}
	}

	out, _, code := runOn(context.Background(), t, fake, change, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "the topics are up")
	assert.Regexp(t, `(?m)^orders\.fifo\s+queue\s+down\s+\S+\s+InternalFailure: We encountered an internal error\.\s*$`, out)
	for _, chain := range []string{"operation error", "exceeded maximum number of attempts", "RequestID", "retry quota"} {
		assert.NotContains(t, out, chain)
	}

	out, errOut, _ := runOn(context.Background(), t, fake, change, "health", "-f", path, "-o", "json")
	var rep healthJSON
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out+errOut)
	assert.Contains(t, rep.Checks[0].Error, "operation error SQS")
	assert.Contains(t, rep.Checks[0].Error, "retry quota exceeded")
}

// Calls that failed alike, each answered with a request id of its own
// (a body the SDK could not read, no AWS error code), are named on one
// line, by their cause, without the request ids.
func TestHealth_ChecksFailedAlikeWithTheirOwnRequestIDsShareALine(t *testing.T) {
	fake, path := appliedOrders(t)

	out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = answeringSQS{SQS: fake.sqs, status: http.StatusBadGateway, calls: new(atomic.Int32),
			err: errors.New("failed to decode response body, invalid character '<' looking for beginning of value")}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "the topics are up")
	assert.Equal(t, 1, strings.Count(errOut, "SQS call failed"), "one line for the 7 queues")
	assert.Contains(t, errOut, "orders-order-events (queue), orders-order-events-dlq (dlq), orders-payment-events (queue), "+
		"orders-payment-events-dlq (dlq), orders.fifo (queue), orders-dlq.fifo (dlq), payments.fifo (queue): "+
		"SQS call failed (failed to decode response body, invalid character '<' looking for beginning of value): check the credentials")
	assert.NotContains(t, out+errOut, "req-0")
}

// An endpoint answering with an error code and message of any length
// (1 MiB each) gets a row and a line of the error of bounded length, each
// keeping the beginning and the end of the cause, with the characters a
// terminal would act on escaped.
func TestHealth_AHugeAnswerMakesBoundedLines(t *testing.T) {
	fake, path := appliedOrders(t)
	huge := strings.Repeat("A", 1<<20)
	answer := &smithy.GenericAPIError{Code: "Evil\x1b[2J" + huge + "Code", Message: "begins\x1b]0;title\a" + huge + "ends"}

	out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = answeringSQS{SQS: fake.sqs, status: http.StatusBadRequest, err: answer, calls: new(atomic.Int32)}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "the topics are up")
	for _, line := range strings.Split(out+errOut, "\n") {
		assert.Less(t, len(line), 2048, "%.200q…", line)
	}
	assert.Regexp(t, `(?m)^orders\.fifo\s+queue\s+down\s+\S+\s+Evil\\x1b\[2JA+ … A+ends\s*$`, out)
	assert.Regexp(t, `(?m)^orders-order-events \(queue\), .*: SQS answered Evil\\x1b\[2JA+ … A+Code: check the credentials`, errOut)
	assert.NotContains(t, out+errOut, "\x1b")
}
