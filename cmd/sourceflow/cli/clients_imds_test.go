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

// topologyUnderASilentIMDS writes a topology file and sets the environment
// of a command that loads the SDK's configuration with the defaults mode
// auto, from no shared files, with an instance metadata service that never
// answers; each request to it is told on asked, when asked is not nil and
// has room. It returns the topology file's path.
func topologyUnderASilentIMDS(t *testing.T, asked chan<- struct{}) string {
	t.Helper()
	imds := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(imds.Close)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	t.Setenv("AWS_DEFAULTS_MODE", "auto")
	return writeTopology(t, ordersBinding(), topology.Options{})
}

// With the defaults mode auto, loading the SDK's configuration asks the
// instance metadata service for the region: where it never answers, the
// command ends at --timeout with an error that says it waited on IMDS,
// by which setting, and what to set, not with the SDK's canceled call
// and advice on the profile alone.
func TestLoadClients_AnIMDSThatNeverAnswersIsNamedWhenTimeoutEndsTheWait(t *testing.T) {
	path := topologyUnderASilentIMDS(t, nil)
	var out, errOut bytes.Buffer

	code := cli.Run(context.Background(), cli.Config{Stdout: &out, Stderr: &errOut},
		[]string{"health", "-f", path, "--timeout", "300ms"})

	assert.Equal(t, cli.ExitUsage, code, errOut.String())
	assert.Contains(t, errOut.String(), "load the AWS configuration: AWS_DEFAULTS_MODE=auto has the SDK ask the "+
		"instance metadata service (IMDS) for the region it runs in, and IMDS did not answer before the command's time ran out")
	assert.Contains(t, errOut.String(), "set AWS_EC2_METADATA_DISABLED=true or another defaults mode (AWS_DEFAULTS_MODE=standard)")
	assert.NotContains(t, errOut.String(), "check AWS_PROFILE")
}

// A command interrupted while the SDK waits on IMDS says that it was
// interrupted, not that its time ran out, nor to allow more time.
func TestLoadClients_AnIMDSWaitCutByAnInterruptIsNotSaidToHaveRunOutOfTime(t *testing.T) {
	asked := make(chan struct{}, 1)
	path := topologyUnderASilentIMDS(t, asked)
	var out, errOut bytes.Buffer
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	go func() {
		<-asked
		interrupt()
	}()

	code := cli.Run(ctx, cli.Config{Stdout: &out, Stderr: &errOut}, []string{"health", "-f", path, "--timeout", "10m"})

	assert.Equal(t, cli.ExitInterrupted, code, errOut.String())
	assert.Contains(t, errOut.String(), "load the AWS configuration: AWS_DEFAULTS_MODE=auto has the SDK ask the "+
		"instance metadata service (IMDS) for the region it runs in, and IMDS had not answered when the command was interrupted")
	assert.NotContains(t, errOut.String(), "time ran out")
	assert.NotContains(t, errOut.String(), "--timeout")
}
