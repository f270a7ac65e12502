package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// topologyUnderASilentEndpoint writes a topology file and sets the
// environment of a command whose AWS endpoint (AWS_ENDPOINT_URL) accepts
// every request and never answers. It returns the file's path and the
// endpoint.
func topologyUnderASilentEndpoint(t *testing.T) (path, endpoint string) {
	t.Helper()
	done := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select { // never answers
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(silent.Close)
	t.Cleanup(func() { close(done) }) // first: a connection the client keeps open does not hold Close
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_DEFAULTS_MODE", "standard")
	t.Setenv("AWS_ENDPOINT_URL", silent.URL)
	t.Setenv("AWS_ENDPOINT_URL_SQS", "")
	return writeTopology(t, ordersBinding(), topology.Options{}), silent.URL
}

// dlq list and dlq peek bound each SQS call by --check-timeout, as health
// does: against an endpoint that never answers they fail then (exit 3),
// saying that SQS did not answer and naming the endpoint, not silently at
// the end of --timeout with only "interrupted".
func TestDLQListAndPeek_AnEndpointThatNeverAnswersFailsAtTheCheckTimeout(t *testing.T) {
	path, endpoint := topologyUnderASilentEndpoint(t)
	for name, args := range map[string][]string{
		"list": {"dlq", "list", "-f", path},
		"peek": {"dlq", "peek", "-f", path, "--queue", "orders-order-events-dlq"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Run(context.Background(), cli.Config{Stdout: &out, Stderr: &errOut},
				append(args, "--check-timeout", "200ms", "--timeout", "10m"))

			assert.Equal(t, cli.ExitAWS, code, errOut.String())
			assert.Contains(t, errOut.String(), "SQS did not answer within --check-timeout (200ms): check that the endpoint "+
				"of region eu-west-2 (AWS_ENDPOINT_URL: "+endpoint+") answers, or allow more time with --check-timeout")
			assert.NotContains(t, errOut.String(), "interrupted")
		})
	}
}

// A --check-timeout that is not positive is refused, naming the flag.
func TestDLQListAndPeek_RefuseANonPositiveCheckTimeout(t *testing.T) {
	path, _ := topologyUnderASilentEndpoint(t)
	for _, cmd := range [][]string{{"dlq", "list", "-f", path}, {"dlq", "peek", "-f", path, "--queue", "orders-order-events-dlq"}} {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), cli.Config{Stdout: &out, Stderr: &errOut}, append(cmd, "--check-timeout", "0s"))
		assert.Equal(t, cli.ExitUsage, code, errOut.String())
		assert.Contains(t, errOut.String(), "--check-timeout 0s: want a positive duration, such as 5s")
	}
}
