package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// During an incident the first command an operator runs is health. With the
// file's KMS key disabled no message can be sent or received (producers
// fail GenerateDataKey, consumers fail Decrypt and the messages pile up in
// flight), and validate says so ("key alias/orders: is Disabled"): health
// must not report the service up with exit 0 while it cannot move a message.
func TestIncidentHealthReportsADisabledKey(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
	_, errOut, code = fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetDisabled(key, true)

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.NotEqual(t, cli.ExitOK, code, "health of a service whose KMS key is disabled:\n%s%s", out, errOut)
	assert.Contains(t, out+errOut, "alias/orders")
}

// A queue deleted by hand is the commonest drift. health's table is what an
// operator pastes into the incident channel: the row of the missing queue
// should say it is missing, not carry the SDK's whole error text with its
// request id, which health --help promises to leave out of the table.
func TestIncidentHealthRowOfADeletedQueueSaysMissing(t *testing.T) {
	fake, path := appliedOrders(t)

	out, _, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = deletedQueueSQS{SQSAPI: c.SQS, name: "orders.fifo"}
	}, "health", "-f", path)

	require.Equal(t, cli.ExitDrift, code, out)
	row := lineStartingWith(t, out, "orders.fifo ")
	assert.Contains(t, row, "missing")
	assert.NotContains(t, row, "operation error")
}

// dlq list, peek and purge in the wrong region (or account) find none of the
// service's queues. validate then says "None of the queues and topics ...
// exists ...: check the region"; the dlq commands instead advise apply,
// which at 3 a.m. would create the whole topology in the wrong region.
func TestIncidentDLQInTheWrongRegionSaysCheckTheRegion(t *testing.T) {
	e := newUnappliedDLQEnv(t)

	for _, args := range [][]string{
		{"dlq", "list", "-f", e.path},
		{"dlq", "purge", "-f", e.path, "--queue", "orders-dlq.fifo"},
		{"dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo"},
		{"health", "-f", e.path},
	} {
		out, errOut, code := e.run(t, args...)
		assert.NotEqual(t, cli.ExitOK, code)
		assert.Contains(t, out+errOut, "check the region", "%v:\n%s%s", args, out, errOut)
	}
}

// deletedQueueSQS answers for the queue name as AWS does once someone
// deleted it: QueueDoesNotExist inside the SDK's operation error.
type deletedQueueSQS struct {
	topology.SQSAPI
	name string
}

func (d deletedQueueSQS) gone(op string) error {
	return &smithy.OperationError{ServiceID: "SQS", OperationName: op,
		Err: &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}}
}

func (d deletedQueueSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, o ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if aws.ToString(in.QueueName) == d.name {
		return nil, d.gone("GetQueueUrl")
	}
	return d.SQSAPI.GetQueueUrl(ctx, in, o...)
}

func (d deletedQueueSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if strings.HasSuffix(aws.ToString(in.QueueUrl), "/"+d.name) {
		return nil, d.gone("GetQueueAttributes")
	}
	return d.SQSAPI.GetQueueAttributes(ctx, in, o...)
}

// lineStartingWith returns the line of out that starts with prefix.
func lineStartingWith(t *testing.T, out, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("no line starts with %q in:\n%s", prefix, out)
	return ""
}

// An endpoint that accepts connections and never answers (a black-holed
// VPC endpoint, a hung proxy): dlq list gives up after one --check-timeout
// (5s), but health first reads the topology for a --check-timeout per
// resource (readBound: 9 x 5s) and only then runs its checks, so the first
// command of an incident takes close to a minute to say "SQS did not
// answer". Once the first call went unanswered for --check-timeout, health
// should say so within about two --check-timeouts.
func TestIncidentHealthOnAHungEndpointAnswersWithinTwoCheckTimeouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, path := appliedOrders(t)
		start := time.Now()

		_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.SQS = stubSQS(fake.sqs.Region(), nil)
			c.SNS = silentSNSClient(fake.sqs.Region())
		}, "health", "-f", path, "--check-timeout", "5s")

		assert.Equal(t, cli.ExitAWS, code)
		assert.Contains(t, errOut, "did not answer within --check-timeout (5s)")
		assert.LessOrEqual(t, time.Since(start), 11*time.Second)
	})
}

// dlq redrive against an endpoint that accepts requests and never answers
// waits on its first call (GetQueueUrl) for ever: it runs "without a time
// bound unless --timeout is given", and no call of its own is bounded, so
// at 3 a.m. it sat for ten minutes with no output until Ctrl-C said only
// "interrupted". list and peek fail after --check-timeout naming the
// endpoint; redrive's lookups before the first move should too.
func TestIncidentDLQRedriveOnASilentEndpointSaysSQSDidNotAnswer(t *testing.T) {
	path, endpoint := topologyUnderASilentEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer

	code := cli.Run(ctx, cli.Config{Stdout: &out, Stderr: &errOut},
		[]string{"dlq", "redrive", "-f", path, "--queue", "orders-order-events-dlq"})

	assert.Equal(t, cli.ExitAWS, code, errOut.String())
	assert.Contains(t, errOut.String(), "did not answer")
	assert.Contains(t, errOut.String(), endpoint)
}
