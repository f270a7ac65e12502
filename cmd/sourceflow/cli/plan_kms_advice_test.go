package cli_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// unreachableKMS fails DescribeKey as *kms.Client does when its endpoint
// does not answer, and reports its options as *kms.Client does.
type unreachableKMS struct {
	*encryptiontest.KMS
	region, endpoint string
}

func (k unreachableKMS) DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return nil, &smithy.OperationError{ServiceID: kms.ServiceID, OperationName: "DescribeKey",
		Err: errors.New("dial tcp: connection refused")}
}

func (k unreachableKMS) Options() kms.Options {
	return kms.Options{Region: k.region, BaseEndpoint: aws.String(k.endpoint)}
}

// A failed KMS call of plan (the check of the file's key) is advised with
// the KMS client's region and endpoint, and the variable the endpoint came
// from, not the SQS client's.
func TestPlan_AFailedKMSCallNamesTheKMSEndpoint(t *testing.T) {
	const kmsOnly, sqsOnly = "http://kms.internal:4566", "http://sqs.internal:4566"
	t.Setenv("AWS_ENDPOINT_URL_KMS", kmsOnly)
	t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
	fake := newFakeAWS()
	fake.kms = encryptiontest.New()
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})

	for _, cmd := range []string{"plan", "validate"} {
		_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.Endpoint = sqsOnly
			c.KMS = unreachableKMS{KMS: fake.kms, region: "eu-central-1", endpoint: kmsOnly}
		}, cmd, "-f", path)

		require.Equal(t, cli.ExitAWS, code, errOut)
		assert.Contains(t, errOut, "kms:DescribeKey alias/orders")
		assert.Contains(t, errOut, "the region (eu-central-1) and the endpoint (AWS_ENDPOINT_URL_KMS: "+kmsOnly+")")
		assert.NotContains(t, errOut, sqsOnly)
	}
}
