package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
