//go:build integration

package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// runCLI runs the sourceflow CLI in process with the SDK's default chain
// (AWS_ENDPOINT_URL of the emulator) and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	code = cli.Run(ctx, cli.Config{Stdout: &out, Stderr: &errOut}, args)
	t.Logf("$ sourceflow %v -> exit %d\n%s%s", args, code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

func TestCLI_PlanApplyValidateThenDriftOfADeletedDLQ(t *testing.T) {
	n := newTopologyNames("cli")
	file, err := topology.NewFile(n.binding(), topology.Options{MaxReceiveCount: 4})
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, file.Encode(&text))
	path := filepath.Join(t.TempDir(), "topology.yaml")
	require.NoError(t, os.WriteFile(path, text.Bytes(), 0o600))
	dlq := topology.DLQName(n.commands)
	// The emulator runs without STS; before any queue exists, topics are
	// checked with the account given here.
	t.Setenv("AWS_ACCOUNT_ID", emulatorAccount(t))

	out, errOut, code := runCLI(t, "plan", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "+ create queue "+n.commands+"\n")
	assert.Contains(t, out, "+ create queue "+dlq+" (dead-letter queue of "+n.commands+")\n")
	assert.Contains(t, out, "+ create topic "+n.published+"\n")
	assert.Contains(t, out, "+ create subscription "+n.subscribed+" -> "+n.eventQueue()+"\n")

	out, errOut, code = runCLI(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "created queue "+n.commands+"\n")
	assert.Contains(t, out, "Apply complete: ")

	out, errOut, code = runCLI(t, "validate", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "No drift: service "+n.service)

	_, errOut, code = runCLI(t, "health", "-f", path, "--check-timeout", "30s")
	require.Equal(t, cli.ExitOK, code, errOut)

	deleteQueue(t, dlq)

	out, errOut, code = runCLI(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "queue "+dlq+": missing (dead-letter queue of "+n.commands+")\n")
	assert.Contains(t, errOut, "sourceflow apply -f "+path)

	out, _, code = runCLI(t, "health", "-f", path, "--check-timeout", "30s")
	assert.Equal(t, cli.ExitDrift, code)
	assert.Regexp(t, dlq+`\s+dlq\s+down`, out)
}

// emulatorAccount returns the emulator's account id, read from the ARN of
// a scratch queue.
func emulatorAccount(t *testing.T) string {
	t.Helper()
	client := sqs.NewFromConfig(awsConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("cli-account", ""))})
	require.NoError(t, err)
	defer func() { _, _ = client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) }()
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: created.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	require.NoError(t, err)
	parts := strings.Split(attrs.Attributes["QueueArn"], ":")
	require.Len(t, parts, 6, "queue ARN %q", attrs.Attributes["QueueArn"])
	return parts[4]
}

// deleteQueue deletes queue name and waits until SQS no longer finds it.
func deleteQueue(t *testing.T, name string) {
	t.Helper()
	client := sqs.NewFromConfig(awsConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	got, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	_, err = client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: got.QueueUrl})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		return topology.IsQueueMissing(err)
	}, 60*time.Second, 200*time.Millisecond, "queue %s still found after DeleteQueue", name)
}
