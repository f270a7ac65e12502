package cli

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// regionalKMS reports its options as *kms.Client does.
type regionalKMS struct {
	*encryptiontest.KMS
	region, endpoint string
}

func (k regionalKMS) Options() kms.Options {
	return kms.Options{Region: k.region, BaseEndpoint: aws.String(k.endpoint)}
}

// A call cut short by --check-timeout is advised with the service that was
// slow and its client's region and endpoint: a KMS call with the KMS
// client's, not the SQS client's.
func TestNoAnswerNamesTheServiceThatWasSlow(t *testing.T) {
	const kmsOnly, sqsOnly = "http://kms.internal:4566", "http://sqs.internal:4566"
	t.Setenv("AWS_ENDPOINT_URL_KMS", kmsOnly)
	t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
	s := &session{clients: Clients{Region: "us-east-1", Endpoint: sqsOnly,
		KMS: regionalKMS{KMS: encryptiontest.New(), region: "eu-central-1", endpoint: kmsOnly}}}
	f := healthFlags{checkTimeout: 300 * time.Millisecond}
	slow := func(service string) error {
		return &smithy.OperationError{ServiceID: service, OperationName: "Read", Err: context.DeadlineExceeded}
	}

	err := noAnswer(context.Background(), s, f, slow(kms.ServiceID))
	assert.Contains(t, err.Error(), "KMS did not answer within --check-timeout (300ms): "+
		"check that the endpoint of region eu-central-1 (AWS_ENDPOINT_URL_KMS: "+kmsOnly+") answers")
	assert.NotContains(t, err.Error(), sqsOnly)

	err = noAnswer(context.Background(), s, f, slow("SQS"))
	assert.Contains(t, err.Error(), "SQS did not answer within --check-timeout (300ms): "+
		"check that the endpoint of region us-east-1 (AWS_ENDPOINT_URL_SQS: "+sqsOnly+") answers")
	assert.NotContains(t, err.Error(), kmsOnly)
}
