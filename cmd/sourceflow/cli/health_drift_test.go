package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A queue whose RedrivePolicy was removed still moves messages, but one
// that keeps failing is never set aside (and holds back its FIFO message
// group): health reports the service degraded, names the queue and says
// to apply, and exits 1.
func TestHealthReportsAQueueWithoutItsRedrivePolicyDegraded(t *testing.T) {
	fake, path := appliedOrders(t)
	setQueueAttribute(t, fake, "orders.fifo", "RedrivePolicy", "")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `queue\s+orders\.fifo\s+degraded\s+RedrivePolicy is unset`, out)
	assert.Contains(t, out, "Service orders: degraded (9 checks, 1 drift)")
	assert.Contains(t, errOut, "service orders is degraded: 1 drift of the topology stops or holds back messages")
	assert.Contains(t, errOut, "queue orders.fifo: run `sourceflow plan -f "+path+"` to see what apply would change and `sourceflow apply -f "+path+"` to fix it")

	out, _, code = fake.run(t, "health", "-f", path, "--output", "json")
	require.Equal(t, cli.ExitDrift, code)
	var rep struct {
		Status string
		Drift  []struct{ Resource, Name, Status string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, "degraded", rep.Status)
	require.Len(t, rep.Drift, 1)
	assert.Equal(t, "orders.fifo", rep.Drift[0].Name)
}

// A drift health leaves to validate (a queue's visibility timeout) does
// not stop messages: the service stays up.
func TestHealthLeavesOtherQueueDriftToValidate(t *testing.T) {
	fake, path := appliedOrders(t)
	setQueueAttribute(t, fake, "orders.fifo", "VisibilityTimeout", "7")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitOK, code, out+errOut)
	assert.Contains(t, out, "Service orders: up (9 checks)\n")
}

// A disabled KMS key stops every message: health reports the service
// down, with the key's drift, and says its owner enables it, not apply.
func TestHealthReportsADisabledKeyDownForItsOwnerToEnable(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
	_, errOut, code = fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetDisabled(key, true)

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `key\s+alias/orders\s+down\s+is Disabled`, out)
	assert.Contains(t, out, ": down (")
	assert.Contains(t, errOut, "service orders is down: ")
	assert.Contains(t, errOut, "key alias/orders: apply does not change a KMS key or its policy; the key's owner enables it")
	assert.NotContains(t, errOut, "sourceflow apply")
}

// A subscription whose filter policy was narrowed lets SNS drop the
// events of the types it leaves out, silently: they are lost, not held
// back, so health reports the service down, not degraded.
func TestHealthReportsASubscriptionWithANarrowedFilterPolicyDown(t *testing.T) {
	fake, path := appliedOrders(t)
	setSubscriptionsAttribute(t, fake, "order-events", "FilterPolicy", `{"sf_type":["orders.Other"]}`)

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `subscription\s+order-events -> \S+\s+down\s+FilterPolicy differs`, out)
	assert.Contains(t, out, "Service orders: down (9 checks, 1 drift)")
	assert.Contains(t, errOut, "service orders is down: ")
}
