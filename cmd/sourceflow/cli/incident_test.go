package cli_test

import (
	"context"
	"strings"
	"testing"

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
