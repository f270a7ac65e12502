package cli

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unsetEndpointVars unsets the endpoint variables for the test, and points
// the shared files at ones that do not exist.
func unsetEndpointVars(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, name := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SNS", ignoreEndpointsVar} {
		t.Setenv(name, "") // restored after the test
		require.NoError(t, os.Unsetenv(name))
	}
}

// An endpoint the program set in the clients it gave the CLI, which no
// variable and no shared config file holds, is said to be the program's,
// not AWS_ENDPOINT_URL's, which is unset.
func TestEndpointTheProgramSetIsSaidToBeTheProgramsNotAVariables(t *testing.T) {
	const sqsEndpoint, snsEndpoint = "http://program.internal:4566", "http://sns.program.internal:4566"
	unsetEndpointVars(t)
	s := &session{clients: Clients{Region: "us-east-1", Endpoint: sqsEndpoint,
		SNS: regionalSNS{region: "us-east-1", endpoint: snsEndpoint}}}

	_, _, endpoint := s.callTarget(callOf(sqs.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "set by the program: "+sqsEndpoint, endpoint)
	_, _, endpoint = s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, "set by the program: "+snsEndpoint, endpoint)

	err := Clients{Region: "us-east-1", Endpoint: "program.internal:4566"}.Validate()
	assert.ErrorContains(t, err, "Clients.Endpoint (set by the program): no scheme://host")
	assert.NotContains(t, err.Error(), "AWS_ENDPOINT_URL")
}

// When AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, or the profile's
// ignore_configured_endpoint_urls, makes the SDK ignore the configured
// endpoints, the advice says the clients called the region's AWS
// endpoint, by that setting, not that the endpoint variables are unset
// (they are set) nor that one of them set the endpoint.
func TestIgnoredConfiguredEndpointsAreSaidToLeaveTheRegionsAWSEndpoint(t *testing.T) {
	const configured = "http://configured.internal:4566"
	t.Run("by the environment", func(t *testing.T) {
		t.Setenv(ignoreEndpointsVar, "true")
		t.Setenv("AWS_ENDPOINT_URL", configured)
		t.Setenv("AWS_ENDPOINT_URL_SQS", configured)
		t.Setenv("AWS_ENDPOINT_URL_SNS", configured)
		s := loadedSession(t)
		require.Empty(t, s.clients.Endpoint, "the SDK ignores the variables")
		want := "the region's AWS endpoint, as AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores the configured endpoints"
		assertEndpointOfEachClient(t, s, want)

		s.clients.SNS = nil // a client that reports no options: the variables do not count either
		_, _, endpoint := s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
		assert.Equal(t, want, endpoint)
	})
	t.Run("by the shared config file", func(t *testing.T) {
		unsetEndpointVars(t)
		config := os.Getenv("AWS_CONFIG_FILE")
		require.NoError(t, os.WriteFile(config, []byte("[profile dev]\nregion = eu-west-2\n"+
			"endpoint_url = "+configured+"\nignore_configured_endpoint_urls = true\n"), 0o600))
		t.Setenv("AWS_PROFILE", "dev")
		t.Setenv("AWS_ACCESS_KEY_ID", "test")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
		clients, err := LoadClients(t.Context())
		require.NoError(t, err)
		require.Empty(t, clients.Endpoint, "the SDK ignores the profile's endpoint_url")
		assertEndpointOfEachClient(t, &session{clients: clients},
			"the region's AWS endpoint, as ignore_configured_endpoint_urls of profile dev ignores the configured endpoints")
	})
}

// assertEndpointOfEachClient asserts that the advice of a failed SQS call,
// and of a failed SNS call, words the client's endpoint as want.
func assertEndpointOfEachClient(t *testing.T, s *session, want string) {
	t.Helper()
	for _, service := range []string{sqs.ServiceID, sns.ServiceID} {
		_, _, endpoint := s.callTarget(callOf(service, errors.New("AccessDenied")))
		assert.Equal(t, want, endpoint, service)
	}
}
