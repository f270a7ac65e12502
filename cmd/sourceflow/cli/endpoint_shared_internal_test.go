package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sharedConfig is a shared config file whose profile dev sets an endpoint
// for every client, and one of its own for SNS in its services section.
const sharedConfig = `[profile dev]
region = eu-west-2
endpoint_url = http://profile.internal:4566
services = local

[services local]
sns =
  endpoint_url = http://sns.profile.internal:4566
`

// profileSession is a session over the clients LoadClients builds with
// the profile dev of sharedConfig, and no endpoint variable set.
func profileSession(t *testing.T) *session {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte(sharedConfig), 0o600))
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "dev")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	for _, name := range []string{"AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SNS"} {
		t.Setenv(name, "") // restored after the test
		require.NoError(t, os.Unsetenv(name))
	}
	clients, err := LoadClients(context.Background())
	require.NoError(t, err)
	return &session{clients: clients}
}

// An endpoint the shared config file's profile set is named with where
// it came from: the profile's endpoint_url, or the service's endpoint_url
// in the profile's services section, not AWS_ENDPOINT_URL, which is unset.
func TestEndpointFromTheSharedConfigFileNamesItsEntry(t *testing.T) {
	s := profileSession(t)

	_, _, endpoint := s.callTarget(callOf(sqs.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "endpoint_url of profile dev: http://profile.internal:4566", endpoint)

	_, _, endpoint = s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "endpoint_url of sns in [services local] of profile dev: http://sns.profile.internal:4566", endpoint)

	assert.Equal(t, "endpoint_url of profile dev", endpointSource(s.clients.Endpoint))
}

// Naming where an endpoint came from reads the environment and the shared
// files only: with the defaults mode auto, which has the SDK's loading of
// its configuration ask the instance metadata service for the region, no
// call is made (an advice per failed check would otherwise wait on it,
// without --timeout's bound, off EC2).
func TestEndpointSourceMakesNoCall(t *testing.T) {
	s := profileSession(t)
	var calls atomic.Int32
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	defer imds.Close()
	t.Setenv("AWS_DEFAULTS_MODE", "auto")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)

	_, _, endpoint := s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))

	assert.Equal(t, "endpoint_url of sns in [services local] of profile dev: http://sns.profile.internal:4566", endpoint)
	assert.Zero(t, calls.Load(), "calls to the instance metadata service")
}

// A session reads the shared files' profile once: advice names where an
// endpoint came from per client and per failed line, from the profile the
// first one read, though the files change after.
func TestSessionReadsTheSharedProfileOnce(t *testing.T) {
	s := profileSession(t)

	_, _, endpoint := s.callTarget(callOf(sqs.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "endpoint_url of profile dev: http://profile.internal:4566", endpoint)

	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "absent"))
	_, _, endpoint = s.callTarget(callOf(sqs.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "endpoint_url of profile dev: http://profile.internal:4566", endpoint)
	_, _, endpoint = s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "endpoint_url of sns in [services local] of profile dev: http://sns.profile.internal:4566", endpoint)
}
