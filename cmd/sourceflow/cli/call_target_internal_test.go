package cli

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// loadedSession is a session over the clients LoadClients builds from the
// environment only (no shared files).
func loadedSession(t *testing.T) *session {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	clients, err := LoadClients(context.Background())
	require.NoError(t, err)
	return &session{clients: clients}
}

// callOf is the error of a call of service that failed with err, as the
// SDK's clients return it.
func callOf(service string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: "Read", Err: err}
}

// The advice of a failed or slow call of SNS, STS, DynamoDB or KMS names
// that client's endpoint and the variable it came from (the service's own,
// else AWS_ENDPOINT_URL, else none: AWS itself), not the SQS client's.
func TestCallTargetNamesTheEndpointOfEachServicesClient(t *testing.T) {
	const own, all, sqsOnly = "http://own.internal:4566", "http://all.internal:4566", "http://sqs.internal:4566"
	for _, service := range []string{sns.ServiceID, sts.ServiceID, dynamodb.ServiceID, kms.ServiceID} {
		ownVar := serviceEndpointVar(service)
		cases := []struct{ name, ownValue, allValue, want string }{
			{"its own variable", own, all, "(" + ownVar + ": " + own + ")"},
			{"the general variable", "", all, "(AWS_ENDPOINT_URL: " + all + ")"},
			{"no variable", "", "", "(" + ownVar + " and AWS_ENDPOINT_URL unset, so the region's AWS endpoint)"},
		}
		for _, tc := range cases {
			t.Run(service+"/"+tc.name, func(t *testing.T) {
				t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
				t.Setenv(ownVar, tc.ownValue)
				t.Setenv("AWS_ENDPOINT_URL", tc.allValue)
				s := loadedSession(t)
				f := healthFlags{checkTimeout: 300 * time.Millisecond}

				failed := s.awsFailure("validate", callOf(service, errors.New("AccessDenied"))).Error()
				slow := noAnswer(context.Background(), s, f, callOf(service, context.DeadlineExceeded)).Error()

				assert.Contains(t, failed, "the region (eu-west-2) and the endpoint "+tc.want)
				assert.Contains(t, slow, service+" did not answer within --check-timeout (300ms): "+
					"check that the endpoint of region eu-west-2 "+tc.want+" answers")
				assert.NotContains(t, failed+slow, sqsOnly)
			})
		}
	}
}

// regionalSNS reports its options as *sns.Client does.
type regionalSNS struct {
	topology.SNSAPI
	region, endpoint string
}

func (c regionalSNS) Options() sns.Options {
	return sns.Options{Region: c.region, BaseEndpoint: aws.String(c.endpoint)}
}

// A client of the caller's Clients is advised with the region and
// endpoint its options name; one that reports no options with the
// Clients' region and the endpoint its service's variable names, as the
// SDK would resolve it.
func TestCallTargetOfTheCallersClients(t *testing.T) {
	const snsOnly, sqsOnly = "http://sns.internal:4566", "http://sqs.internal:4566"
	t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
	t.Setenv("AWS_ENDPOINT_URL_SNS", snsOnly)
	t.Setenv("AWS_ENDPOINT_URL", "")
	s := &session{clients: Clients{Region: "us-east-1", Endpoint: sqsOnly,
		SNS: regionalSNS{region: "eu-central-1", endpoint: snsOnly}}}

	service, region, endpoint := s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, []string{"SNS", "eu-central-1", "AWS_ENDPOINT_URL_SNS: " + snsOnly}, []string{service, region, endpoint})

	s.clients.SNS = nil
	service, region, endpoint = s.callTarget(callOf(sns.ServiceID, errors.New("AccessDenied")))
	assert.Equal(t, []string{"SNS", "us-east-1", "AWS_ENDPOINT_URL_SNS: " + snsOnly}, []string{service, region, endpoint})

	service, region, endpoint = s.callTarget(callOf("SQS", errors.New("AccessDenied")))
	assert.Equal(t, []string{"SQS", "us-east-1", "AWS_ENDPOINT_URL_SQS: " + sqsOnly}, []string{service, region, endpoint})
}

// A call cut short by the command's --timeout is advised with the service
// that did not answer, and its client's region and endpoint, as one cut
// short by health's --check-timeout is.
func TestAWSFailureOfACallCutByTimeoutNamesItsService(t *testing.T) {
	const own, sqsOnly = "http://own.internal:4566", "http://sqs.internal:4566"
	for _, service := range []string{"SQS", sns.ServiceID, sts.ServiceID, dynamodb.ServiceID, kms.ServiceID} {
		t.Run(service, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
			t.Setenv("AWS_ENDPOINT_URL", "")
			want := sqsOnly
			if service != "SQS" {
				t.Setenv(serviceEndpointVar(service), own)
				want = own
			}
			s := loadedSession(t)

			slow := s.awsFailure("validate", callOf(service, context.DeadlineExceeded)).Error()

			assert.Contains(t, slow, "\n"+service+" did not answer in time: check that the endpoint of region eu-west-2 ("+
				serviceEndpointVar(service)+": "+want+") answers, or allow more time with --timeout")
		})
	}
}
