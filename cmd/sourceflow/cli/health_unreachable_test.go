package cli_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// unsentCall is the error the SDK returns for a call to an endpoint that
// refuses connections, once its retryer's quota is used up.
func unsentCall(service, op string) error {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:4566/",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: errors.Join(
		&smithyhttp.RequestSendError{Err: refused},
		fmt.Errorf("failed to get rate limit token, %w", ratelimit.QuotaExceededError{Available: 0, Requested: 5}))}
}

// unreachableSQS, unreachableSNS and unreachableSTS send no call: the
// endpoint refuses connections.
type (
	unreachableSQS struct{ *awsbustest.SQS }
	unreachableSNS struct{ *awsbustest.SNS }
	unreachableSTS struct{}
)

func (unreachableSQS) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, unsentCall("SQS", "GetQueueUrl")
}

func (unreachableSQS) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, unsentCall("SQS", "GetQueueAttributes")
}

func (unreachableSNS) GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return nil, unsentCall("SNS", "GetTopicAttributes")
}

func (unreachableSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, unsentCall("STS", "GetCallerIdentity")
}

// An endpoint that cannot be reached is said once, clearly, with the
// cause of the failed connections; the checks do not each repeat the SDK's
// error and what its retryer adds ("retry quota exceeded"). The exit code
// is the one for no call reaching AWS.
func TestHealth_AnUnreachableEndpointIsSaidOnce(t *testing.T) {
	fake, path := appliedOrders(t)
	out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.Endpoint = "http://127.0.0.1:4566"
		c.SQS, c.SNS, c.STS = unreachableSQS{fake.sqs}, unreachableSNS{fake.sns}, unreachableSTS{}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitAWS, code)
	assert.NotContains(t, out+errOut, "retry quota exceeded")
	assert.Equal(t, 1, strings.Count(out+errOut, "connection refused"), "the cause is said once")
	assert.Contains(t, errOut, "the endpoint cannot be reached (set by the program: http://127.0.0.1:4566; region us-east-1): "+
		"dial tcp: connection refused")
	assert.Regexp(t, `orders\.fifo\s+queue\s+down\s+\S+\s+endpoint not reachable\n`, out)
	assert.Regexp(t, `order-events\s+topic\s+down\s+\S+\s+endpoint not reachable\n`, out)
}
