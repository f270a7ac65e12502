package awsbus

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An endpoint URL may carry a password (a proxy's basic auth), with or
// without a scheme: the error of a missing credential names the endpoint
// without it.
func TestCredentialsCheckHidesTheEndpointsPassword(t *testing.T) {
	for endpoint, shown := range map[string]string{
		"http://ops:s3cret@localhost:4566": "http://ops:xxxxx@localhost:4566",
		"http://ops:s3cret@local host:1":   "(not shown: not a URL)",
		"http://localhost:4566":            "http://localhost:4566",
		"ops:s3cret@localhost:4566":        "ops:xxxxx@localhost:4566",
		"ops:s3cret@local host:4566":       "(not shown: not a URL)",
		"ops@localhost:4566":               "ops@localhost:4566",
		"localhost:4566":                   "localhost:4566",
		"http:ops:s3cret@localhost:4566":   "http:xxxxx@localhost:4566",
		"ops:12/s3cret@localhost:4566":     "(not shown: not a URL)",
	} {
		err := credentialsCheck(aws.Config{BaseEndpoint: aws.String(endpoint)}, time.Second)(context.Background())

		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret")
		assert.Contains(t, err.Error(), "endpoint "+shown+";")
	}
}
