package topology_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A key ARN of another region than the service's is reported as such,
// without asking KMS, which looks in its own region and would call the key
// missing.
func TestValidateReportsAKeyOfAnotherRegionWithoutCallingKMS(t *testing.T) {
	const keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	sq, sn := newFakes()
	_, plan := create(t, sq, sn, topology.Options{KMSKeyID: keyARN})
	k := encryptiontest.New()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{KMS: k, Region: "us-east-1"})
	require.NoError(t, err)

	rep, _, err := topo.Validate(context.Background(), plan)
	require.NoError(t, err)

	require.Len(t, rep.Drifts, 1, "drifts: %v", rep)
	d := rep.Drifts[0]
	assert.Equal(t, "key", d.Resource)
	assert.Contains(t, d.Problem, "the key is in eu-west-1, the service in us-east-1")
	assert.Contains(t, d.Problem, "multi-Region replica, mrk-…, in us-east-1")
	assert.NotContains(t, d.Problem, "create it")
	assert.Zero(t, k.Calls().DescribeKey, "the region is read from the ARN")
}

func TestCheckKeyRegion(t *testing.T) {
	for _, tc := range []struct {
		key, region string
		wantErr     bool
	}{
		{"arn:aws:kms:eu-west-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef", "us-east-1", true},
		{"arn:aws:kms:eu-west-1:111111111111:alias/orders", "us-east-1", true},
		{"arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "us-east-1", false},
		{"alias/orders", "us-east-1", false},
		{"mrk-0123456789abcdef0123456789abcdef", "us-east-1", false},
		{"arn:aws:kms:eu-west-1:111111111111:alias/orders", "", false},
		{"arn:aws-us-gov:kms:us-gov-west-1:111111111111:alias/orders", "fips-us-gov-west-1", false},
		{"arn:aws-us-gov:kms:us-gov-west-1:111111111111:alias/orders", "us-gov-west-1-fips", false},
		{"arn:aws-us-gov:kms:us-gov-east-1:111111111111:alias/orders", "us-gov-west-1-fips", true},
	} {
		err := topology.CheckKeyRegion(tc.key, tc.region)
		assert.Equal(t, tc.wantErr, err != nil, "%s in %q: %v", tc.key, tc.region, err)
	}
}

// Create refuses a key of another region before any call, rather than make
// queues and topics that SQS and SNS cannot encrypt under it.
func TestCreateRefusesAKeyOfAnotherRegionBeforeAnyCall(t *testing.T) {
	const keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	sq, sn := newFakes()
	plan, err := topology.New(ordersBinding(), topology.Options{KMSKeyID: keyARN})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: "us-east-1"})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), plan)
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	assert.ErrorContains(t, err, "the key is in eu-west-1, the service in us-east-1")
	for _, q := range plan.Queues {
		assert.Empty(t, sq.QueueURL(q.Name), "queue %s created", q.Name)
	}
}
