package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The command that validate names for the key's owner can be pasted as it
// is: it carries the account the operator gave, and without one a
// placeholder, never "<account>", which a shell reads as a redirect.
func TestValidateNamesAKeyPolicyCommandThatCanBePasted(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", "")
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())

	out, errOut, code := fake.run(t, "validate", "-f", path, "--account-id", fake.sqs.AccountID())
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "`sourceflow iam-policy -f "+path+" --account-id "+fake.sqs.AccountID()+" --key-policy`")

	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "`sourceflow iam-policy -f "+path+" --account-id ACCOUNT_ID --key-policy`")
	assert.NotContains(t, out, "<account>")
}
