package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A disabled key is not fixed by a statement in its policy: validate, plan
// and apply tell its owner to enable it, and do not send them to
// iam-policy --key-policy.
func TestValidate_ADisabledKeyIsToBeEnabledNotGivenAStatement(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
	fake.kms.SetDisabled(key, true)

	out, _, code := fake.run(t, "validate", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "key alias/orders: is Disabled")
	assert.Contains(t, out, "aws kms enable-key")
	assert.NotContains(t, out, "--key-policy")

	out, _, code = fake.run(t, "plan", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "1 to fix outside apply: apply does not change a KMS key")
	assert.Contains(t, out, "aws kms enable-key")
	assert.NotContains(t, out, "--key-policy")

	_, errOut, code = fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "aws kms enable-key")
	assert.NotContains(t, errOut, "--key-policy")
}

// A key that enable-key does not fix (its material still to import, its
// custom key store disconnected) is not given the advice to enable it:
// its drift says what is wrong, and the owner fixes that.
func TestValidate_AKeyInAnotherStateIsNotToBeEnabled(t *testing.T) {
	for _, state := range []kmstypes.KeyState{kmstypes.KeyStatePendingImport, kmstypes.KeyStateUnavailable} {
		t.Run(string(state), func(t *testing.T) {
			fake, key, path := newKeyFake(t)
			fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
			printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
			require.Equal(t, cli.ExitOK, code, errOut)
			fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))

			out, _, code := runOn(context.Background(), t, fake, func(c *cli.Clients) { c.KMS = stateKMS{c.KMS, state} }, "validate", "-f", path)

			assert.Equal(t, cli.ExitDrift, code)
			assert.Contains(t, out, "key alias/orders: is "+string(state))
			assert.NotContains(t, out, "enable-key")
			assert.Contains(t, out, "the key's owner fixes what is said above")
		})
	}
}

// stateKMS describes every key in state.
type stateKMS struct {
	topology.KMSAPI
	state kmstypes.KeyState
}

func (k stateKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	out, err := k.KMSAPI.DescribeKey(ctx, in, opts...)
	if err == nil && out.KeyMetadata != nil {
		out.KeyMetadata.KeyState = k.state
	}
	return out, err
}
