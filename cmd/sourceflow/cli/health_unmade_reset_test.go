package cli_test

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// resetSQS fails every call as the SDK does when the endpoint resets the
// connection: each call on a connection of its own, from a local port of
// its own, which the failed connection's error names.
// With writing, the reset comes while net/http sends the request body:
// "readfrom tcp 127.0.0.1:4566: write tcp 127.0.0.1:40001->127.0.0.1:4566:
// write: connection reset by peer", the failed write within the copy.
type resetSQS struct {
	*awsbustest.SQS
	port    *atomic.Int32
	writing bool
}

func (q resetSQS) reset(op string) error {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000 + int(q.port.Add(1))}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4566}
	var failed error = &net.OpError{Op: "read", Net: "tcp", Source: local, Addr: remote, Err: syscall.ECONNRESET}
	if q.writing {
		failed = &net.OpError{Op: "readfrom", Net: "tcp", Addr: remote,
			Err: &net.OpError{Op: "write", Net: "tcp", Source: local, Addr: remote, Err: syscall.ECONNRESET}}
	}
	return &smithy.OperationError{ServiceID: "SQS", OperationName: op, Err: &smithyhttp.RequestSendError{
		Err: &url.Error{Op: "Post", URL: "http://127.0.0.1:4566/", Err: failed}}}
}

func (q resetSQS) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, q.reset("GetQueueUrl")
}

func (q resetSQS) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, q.reset("GetQueueAttributes")
}

// Checks whose connections the endpoint reset, each from a local port of
// its own, fail alike: health names them on one line, not one line per
// check that differs only in the port.
func TestHealth_ChecksResetAlikeAreNamedOnOneLine(t *testing.T) {
	for _, writing := range []bool{false, true} {
		t.Run(map[bool]string{false: "reading", true: "writing"}[writing], func(t *testing.T) {
			fake, path := appliedOrders(t)

			_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
				c.SQS = resetSQS{SQS: fake.sqs, port: new(atomic.Int32), writing: writing}
			}, "health", "-f", path)

			assert.Equal(t, cli.ExitDrift, code, "the topics are up")
			assert.Equal(t, 1, strings.Count(errOut, "connection reset by peer"), "one line for the 7 queues")
			assert.Contains(t, errOut, "orders-order-events (queue), orders-order-events-dlq (dlq), orders-payment-events (queue), "+
				"orders-payment-events-dlq (dlq), orders.fifo (queue), orders-dlq.fifo (dlq), payments.fifo (queue): "+
				"the SQS endpoint cannot be reached")
			assert.NotContains(t, errOut, "127.0.0.1:400", "the local port of a connection says nothing to check")
		})
	}
}
