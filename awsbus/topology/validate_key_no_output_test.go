package topology_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// silentKeyKMS is a KMS client with a bug: the calls its test names answer
// neither an output nor an error; the others go to the embedded client.
type silentKeyKMS struct {
	topology.KMSAPI
	describe, policy bool
}

func (k silentKeyKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if k.describe {
		return nil, nil
	}
	return k.KMSAPI.DescribeKey(ctx, in, o...)
}

func (k silentKeyKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, o ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	if k.policy {
		return nil, nil
	}
	return k.KMSAPI.GetKeyPolicy(ctx, in, o...)
}

// A KMS client answering DescribeKey or GetKeyPolicy with neither an
// output nor an error (a KMSAPI other than *kms.Client may) leaves the key
// not checked, naming the call, instead of crashing Validate.
func TestTopology_ValidateReportsAKMSCallWithoutOutputAsNotChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		api  func(r *keyRig) silentKeyKMS
		want string
	}{
		{"DescribeKey", func(r *keyRig) silentKeyKMS { return silentKeyKMS{KMSAPI: r.kms, describe: true} },
			"key alias/orders: not checked: kms:DescribeKey returned no output"},
		{"GetKeyPolicy", func(r *keyRig) silentKeyKMS { return silentKeyKMS{KMSAPI: r.kms, policy: true} },
			"key alias/orders: not checked: kms:GetKeyPolicy returned no output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newKeyRig(t)
			topo, err := newProvisioner(r.sq, r.sn, topology.ProvisionerConfig{KMS: tc.api(r)})
			require.NoError(t, err)

			var rep topology.DriftReport
			require.NotPanics(t, func() { rep, _, err = topo.Validate(context.Background(), r.plan) })

			require.NoError(t, err)
			assert.Contains(t, rep.String(), tc.want)
		})
	}
}
