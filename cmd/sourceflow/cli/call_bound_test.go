package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The SDK clients the CLI builds bound each call by --check-timeout: a
// dlq command and health against an endpoint that never answers fail
// after about that bound, saying which service did not answer, long
// before --timeout would end them. Only a cut by the bound names
// --check-timeout (300ms) in its message, so no clock is read: a
// loaded machine cannot fail the test by being slow.
func TestCallBound_ASilentEndpointFailsACommandAtTheCheckTimeoutNotAtTheTimeout(t *testing.T) {
	path, endpoint := topologyUnderASilentEndpoint(t)
	advice := "check that the endpoint of region eu-west-2 (AWS_ENDPOINT_URL: " + endpoint + ") answers, or allow more time with --check-timeout"
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"dlq list": {[]string{"dlq", "list", "-f", path}, "SQS did not answer within --check-timeout (300ms): " + advice},
		"health": {[]string{"health", "-f", path}, "health: SQS did not answer the topology read within --check-timeout (300ms): " +
			"operation error SQS: GetQueueUrl"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Run(withinAMinute(t), cli.Config{Stdout: &out, Stderr: &errOut},
				append(c.args, "--check-timeout", "300ms", "--timeout", "40s"))

			assert.Equal(t, cli.ExitAWS, code, out.String()+errOut.String())
			assert.Contains(t, errOut.String(), c.want)
		})
	}
}

// A receive's bound adds the time it waits for messages: dlq peek, whose
// receives wait 1s (WaitTimeSeconds), reads a message SQS answers after
// 1.5s with --check-timeout 1s, and the calls answered within the bound
// are answered as usual. The endpoint answers in process inside a synctest
// bubble, so the 0.5s either side of the answer is exact, however loaded
// the machine.
func TestCallBound_AReceiveIsNotCutAtTheCheckTimeoutAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newDLQEnv(t)
		e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", body: `{"id":"o-1"}`})
		e.client = sqsAt(e.sqs.Region(), "http://sqs.stub", &http.Client{Transport: stubEndpoint{fake: e.sqs, delays: map[string]time.Duration{
			"ReceiveMessage": 1500 * time.Millisecond, "GetQueueUrl": 100 * time.Millisecond, "GetQueueAttributes": 100 * time.Millisecond,
		}}})

		out, errOut, code := e.runContext(t, context.Background(), "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo",
			"--max", "1", "--check-timeout", "1s")

		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "\norders.CreateOrder\n  entity      o-1\n  message id  id-1\n")
	})
}
