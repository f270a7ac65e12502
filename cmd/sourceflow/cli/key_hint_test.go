package cli_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The command that validate names for the key's owner can be pasted as it
// is: it carries the account the operator gave (and without one the
// account found, see below, or when none is a placeholder), never
// "<account>", which a shell reads as a redirect.
func TestValidateNamesAKeyPolicyCommandThatCanBePasted(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", "")
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())

	out, errOut, code := fake.run(t, "validate", "-f", path, "--account-id", fake.sqs.AccountID())
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "`sourceflow iam-policy -f "+path+" --account-id "+fake.sqs.AccountID()+" --key-policy`")
	assert.NotContains(t, out, "<account>")
}

// The key-policy command that plan, apply and validate name carries the
// account whenever the command can know it, with no --account-id: from a
// queue of the service (its URL names the account), else from
// sts:GetCallerIdentity.
func TestKeyPolicyHintCarriesTheAccountItFinds(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", "")
	for _, tt := range []struct {
		name             string
		noSTS, withQueue bool
	}{
		{"from sts", false, false},
		{"from a queue", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake, key, path := newKeyFake(t)
			fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
			if tt.withQueue {
				_, err := fake.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo"),
					Attributes: map[string]string{"FifoQueue": "true"}})
				require.NoError(t, err)
			}
			fake.noSTS = tt.noSTS
			want := "`sourceflow iam-policy -f " + path + " --account-id " + fake.sqs.AccountID() + " --key-policy`"
			for _, command := range []string{"plan", "validate", "apply"} {
				out, errOut, code := fake.run(t, command, "-f", path)

				assert.NotEqual(t, cli.ExitUsage, code, errOut)
				assert.Contains(t, out+errOut, want, command)
				assert.NotContains(t, out+errOut, "ACCOUNT_ID", command)
			}
		})
	}
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
