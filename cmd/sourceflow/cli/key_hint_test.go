package cli_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A topology read from standard input is gone once read: the key-policy
// command that plan, apply and validate name takes a FILE placeholder and
// says to pass the same topology, never "-f -".
func TestKeyPolicyHintForATopologyFromStandardInputNamesAFile(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, command := range []string{"plan", "apply", "validate"} {
		t.Run(command, func(t *testing.T) {
			cfg, out, errOut := fake.config(string(text))

			code := cli.Run(context.Background(), cfg, []string{command, "-f", "-", "--account-id", fake.sqs.AccountID()})

			printed := out.String() + errOut.String()
			assert.NotEqual(t, cli.ExitUsage, code, printed)
			assert.Contains(t, printed, "`sourceflow iam-policy -f FILE --account-id "+fake.sqs.AccountID()+" --key-policy` prints "+
				"(FILE: the topology this command read from standard input; pass the same one)")
			assert.NotContains(t, printed, "iam-policy -f -")
		})
	}
}
