package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// withinAMinute is a context that ends a command that its own bounds do
// not end, so that such a command fails ("interrupted") instead of hanging.
func withinAMinute(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// dlq redrive and dlq purge bound each SQS call by --check-timeout, as
// list and peek do: against an endpoint that never answers they fail then
// (exit 3), naming the endpoint, not silently at the end of --timeout (or,
// for redrive, never).
func TestDLQRedriveAndPurge_AnEndpointThatNeverAnswersFailsAtTheCheckTimeout(t *testing.T) {
	path, endpoint := topologyUnderASilentEndpoint(t)
	for name, args := range map[string][]string{
		"redrive":         {"dlq", "redrive", "-f", path, "--queue", "orders-order-events-dlq"},
		"redrive timeout": {"dlq", "redrive", "-f", path, "--queue", "orders-order-events-dlq", "--timeout", "10m"},
		"purge":           {"dlq", "purge", "-f", path, "--queue", "orders-order-events-dlq", "--timeout", "10m"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Run(withinAMinute(t), cli.Config{Stdout: &out, Stderr: &errOut}, append(args, "--check-timeout", "200ms"))

			assert.Equal(t, cli.ExitAWS, code, errOut.String())
			assert.Contains(t, errOut.String(), "SQS did not answer within --check-timeout (200ms): check that the endpoint "+
				"of region eu-west-2 (AWS_ENDPOINT_URL: "+endpoint+") answers, or allow more time with --check-timeout")
			assert.NotContains(t, errOut.String(), "interrupted")
		})
	}
}

// A --check-timeout that is not positive is refused by every dlq command
// that calls SQS, naming the flag.
func TestDLQCommands_RefuseANonPositiveCheckTimeout(t *testing.T) {
	path, _ := topologyUnderASilentEndpoint(t)
	for _, cmd := range [][]string{
		{"dlq", "list", "-f", path},
		{"dlq", "peek", "-f", path, "--queue", "orders-order-events-dlq"},
		{"dlq", "redrive", "-f", path, "--queue", "orders-order-events-dlq"},
		{"dlq", "purge", "-f", path, "--queue", "orders-order-events-dlq"},
	} {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), cli.Config{Stdout: &out, Stderr: &errOut}, append(cmd, "--check-timeout", "-1s"))
		assert.Equal(t, cli.ExitUsage, code, errOut.String())
		assert.Contains(t, errOut.String(), "--check-timeout -1s: want a positive duration, such as 5s")
	}
}

// A PurgeQueue that SQS never answers fails dlq purge --yes at
// --check-timeout, saying the purge may have started.
func TestDLQPurge_APurgeThatIsNeverAnsweredFailsAtTheCheckTimeout(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.client = stubSQS(e.sqs.Region(), e.sqs, "PurgeQueue")

	_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--yes", "--check-timeout", "200ms")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "the purge may have started")
	assert.Contains(t, errOut, "SQS did not answer within --check-timeout (200ms): check that the endpoint of region")
}

// A SendMessageBatch that SQS never answers stops a copy at
// --check-timeout, naming the endpoint; every message stays in the
// dead-letter queue.
func TestDLQRedrive_ASendThatIsNeverAnsweredStopsTheCopyAtTheCheckTimeout(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.client = stubSQS(e.sqs.Region(), e.sqs, "SendMessageBatch")

	_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--method", "copy", "--check-timeout", "200ms")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "dlq redrive orders-order-events-dlq interrupted after moving 0 messages")
	assert.Contains(t, errOut, "SQS did not answer within --check-timeout (200ms): check that the endpoint of region")
	assert.Equal(t, []string{"a"}, bodies(e.messages("orders-order-events-dlq")))
}

// A StartMessageMoveTask that SQS never answers fails the native method
// at --check-timeout, naming the endpoint, and auto does not copy instead:
// an endpoint that does not answer is no endpoint without move tasks.
func TestDLQRedrive_AStartThatIsNeverAnsweredFailsAtTheCheckTimeout(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "a"})
	e.client = stubSQS(e.sqs.Region(), e.sqs, "StartMessageMoveTask")

	out, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--check-timeout", "200ms")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, out, "by native")
	assert.NotContains(t, out, "copying instead")
	assert.Contains(t, errOut, "SQS did not answer within --check-timeout (200ms): check that the endpoint of region")
	assert.Equal(t, []string{"a"}, bodies(e.messages("orders-order-events-dlq")))
}

// dlq peek --decrypt bounds its KMS calls by --check-timeout too: a
// --key-id check KMS never answers fails the command then, and a payload
// KMS never decrypts is shown encrypted, saying so; both name the KMS
// endpoint and --check-timeout.
func TestDLQPeek_KMSCallsThatAreNeverAnsweredEndAtTheCheckTimeout(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_KMS", "http://kms.internal:4566")
	e := newDLQEnv(t)
	putEncrypted(t, e)
	e.kmsAPI = silentKMSClient(e.sqs.Region(), "http://kms.internal:4566")

	_, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "peek", "-f", e.path, "--queue", "orders.fifo",
		"--decrypt", "--key-id", "alias/orders", "--check-timeout", "200ms")

	require.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "dlq peek --key-id alias/orders: kms:DescribeKey")
	assert.Contains(t, errOut, "KMS did not answer within --check-timeout (200ms): check that the endpoint of region "+
		e.sqs.Region()+" (AWS_ENDPOINT_URL_KMS: http://kms.internal:4566) answers, or allow more time with --check-timeout")

	out, errOut, code := e.runContext(t, withinAMinute(t), "dlq", "peek", "-f", e.path, "--queue", "orders.fifo",
		"--decrypt", "--check-timeout", "200ms")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "KMS did not answer within --check-timeout (200ms): check that the endpoint of region "+
		e.sqs.Region()+" (AWS_ENDPOINT_URL_KMS: http://kms.internal:4566) answers, or allow more time with --check-timeout)\n"), out)
}
