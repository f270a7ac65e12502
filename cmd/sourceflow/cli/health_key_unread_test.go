package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// policyDeniedKMS is a KMS endpoint whose credentials may describe the key
// but not read its policy.
type policyDeniedKMS struct{ topology.KMSAPI }

func (policyDeniedKMS) GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:GetKeyPolicy"}
}

// appliedKeyOrders is the orders topology applied on a fake whose KMS key
// lets SNS use it, so that health finds no drift of it.
func appliedKeyOrders(t *testing.T) (fake *fakeAWS, key, path string) {
	t.Helper()
	fake, key, path = newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())
	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))
	_, errOut, code = fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	return fake, key, path
}

// A key policy health may not read could leave SNS out, and drop every
// message: health does not say up of it. It lists the key as skipped, its
// health unknown, says which permission is missing, and exits 2, as for a
// check it could not run; --skip-key-check leaves the key out.
func TestHealthReportsAKeyPolicyItMayNotReadAsUnknown(t *testing.T) {
	fake, _, path := appliedKeyOrders(t)
	deny := func(c *cli.Clients) { c.KMS = policyDeniedKMS{c.KMS} }

	out, errOut, code := runOn(context.Background(), t, fake, deny, "health", "-f", path)

	assert.Equal(t, cli.ExitUsage, code, out+errOut)
	assert.Regexp(t, `key\s+alias/orders\s+skipped\s+not checked: kms:GetKeyPolicy denied`, out)
	assert.Contains(t, out, "Service orders: skipped (9 checks, key not checked)")
	assert.Contains(t, errOut, "the health of key alias/orders is unknown")
	assert.Contains(t, errOut, "give the credentials kms:GetKeyPolicy on it")
	assert.Contains(t, errOut, "--skip-key-check")

	out, _, code = runOn(context.Background(), t, fake, deny, "health", "-f", path, "--output", "json")
	require.Equal(t, cli.ExitUsage, code)
	var rep struct {
		Status string
		Drift  []struct{ Resource, Status string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, "skipped", rep.Status)
	require.Len(t, rep.Drift, 1)
	assert.Equal(t, "key", rep.Drift[0].Resource)
	assert.Equal(t, "skipped", rep.Drift[0].Status)

	out, errOut, code = runOn(context.Background(), t, fake, deny, "--skip-key-check", "health", "-f", path)
	assert.Equal(t, cli.ExitOK, code, out+errOut)
	assert.Contains(t, out, "Service orders: up (9 checks)\n")
}

// A key health may not describe is unknown too, and the error names
// kms:DescribeKey; a drift that stops messages still makes the report
// down, and its advice says both.
func TestHealthReportsAKeyItMayNotDescribeBesideADrift(t *testing.T) {
	fake, key, path := appliedKeyOrders(t)
	fake.kms.SetDenied(key, true)
	setSubscriptionsAttribute(t, fake, "order-events", "RawMessageDelivery", "false")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `key\s+alias/orders\s+skipped\s+not checked: kms:DescribeKey denied`, out)
	assert.Contains(t, out, "Service orders: down (9 checks, 1 drift, key not checked)")
	assert.Contains(t, errOut, "service orders is down: 1 drift of the topology stops or holds back messages")
	assert.Contains(t, errOut, "give the credentials kms:DescribeKey on it")
}

// The policy of a key of another account is shown only in that account:
// health says the key's health is unknown and where to check it.
func TestHealthReportsAKeyOfAnotherAccountAsUnknown(t *testing.T) {
	fake, key, path := appliedKeyOrders(t)
	fake.kms.SetKeyAccount(key, "999999999999")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitUsage, code, out+errOut)
	assert.Regexp(t, `key\s+alias/orders\s+skipped\s+not checked: the key belongs to account 999999999999`, out)
	assert.Contains(t, errOut, "the health of key alias/orders is unknown: the key belongs to account 999999999999")
	assert.Contains(t, errOut, "check there that it has the statement")
	assert.Contains(t, errOut, "or pass --skip-key-check")
}
