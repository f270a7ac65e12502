package cli_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A KMS endpoint that never answers cuts health's topology read at the
// key, after the queues, topics and subscriptions were read: the drift
// found before the cut (a subscription without raw delivery) is still
// reported, and health does not say up of a key it could not read.
func TestHealthWithAHungKMSKeepsTheDriftReadBeforeAndIsNotUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, key, path := newKeyFake(t)
		fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
		printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
		require.Equal(t, cli.ExitOK, code, errOut)
		fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
		_, errOut, code = fake.run(t, "apply", "-f", path)
		require.Equal(t, cli.ExitOK, code, errOut)
		setSubscriptionsAttribute(t, fake, "order-events", "RawMessageDelivery", "false")

		out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.KMS = silentKMSClient(fake.sqs.Region(), "http://kms.stub")
		}, "health", "-f", path, "--check-timeout", "5s")

		assert.Equal(t, cli.ExitAWS, code, out+errOut)
		assert.Regexp(t, `subscription\s+order-events -> \S+\s+down\s+RawMessageDelivery differs`, out)
		assert.Contains(t, out, "Service orders: down (9 checks, 1 drift)")
		assert.Contains(t, errOut, "KMS did not answer the topology read within --check-timeout (5s)")
		assert.Contains(t, errOut, "the drift after it is unknown")
		t.Log(out, errOut)
	})
}
