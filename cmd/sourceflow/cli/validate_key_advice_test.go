package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// disabledKeyFake returns a fake AWS holding the applied orders topology
// encrypted under a KMS key that is then disabled, and the topology's file.
func disabledKeyFake(t *testing.T) (*fakeAWS, string) {
	t.Helper()
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
	_, errOut, code = fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetDisabled(key, true)
	return fake, path
}

// apply never changes a KMS key: validate's last line for a disabled key
// alone says its owner fixes it, and does not send the operator to apply.
func TestValidate_ADisabledKeyAloneIsNotSentToApply(t *testing.T) {
	fake, path := disabledKeyFake(t)

	_, errOut, code := fake.run(t, "validate", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "1 difference from "+path+": apply does not change a KMS key; the key's owner fixes it, as said above")
	assert.NotContains(t, errOut, "sourceflow apply")
}

// With the key and a queue drifting, the last line sends the queue to
// apply and the key to its owner.
func TestValidate_AKeyAndAQueueDriftingSplitTheAdvice(t *testing.T) {
	fake, path := disabledKeyFake(t)
	setQueueAttribute(t, fake, "orders.fifo", "RedrivePolicy", "")

	_, errOut, code := fake.run(t, "validate", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "2 differences from "+path+": run `sourceflow plan -f "+path+"` to see what apply would do and `sourceflow apply -f "+path+"` to fix 1 of them, or fix the infrastructure code that owns it; apply does not change a KMS key: the key's owner fixes 1, as said above")
}
