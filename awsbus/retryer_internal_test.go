package awsbus

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The clients NewTransportFromAWS builds retry the services' throttling
// codes, whatever retry mode the configuration names.
func TestNewTransportFromAWSClientsRetryThrottling(t *testing.T) {
	for _, mode := range []aws.RetryMode{"", aws.RetryModeAdaptive} {
		tr, err := NewTransportFromAWS(aws.Config{Region: "us-east-1", RetryMode: mode}, Config{})
		require.NoError(t, err)
		retryers := map[string]aws.Retryer{
			"sqs": tr.clients.SQS.(*sqs.Client).Options().Retryer,
			"sns": tr.clients.SNS.(*sns.Client).Options().Retryer,
		}
		for name, r := range retryers {
			for _, code := range throttleErrorCodes {
				assert.True(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: code}), "%s retries %q (mode %q)", name, code, mode)
			}
		}
	}
}
