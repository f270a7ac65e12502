package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A key whose policy leaves SNS out is left to its owner: apply creates
// everything else and exits 1 naming the fix, plan marks it "! fix", and
// once the statement iam-policy --key-policy prints is in the key's
// policy, validate passes.
func TestApply_LeavesAKeyPolicyThatLeavesSNSOutToItsOwner(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetKeyAccount(key, fake.sqs.AccountID())

	out, _, code := fake.run(t, "plan", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "! fix key alias/orders: policy does not let sns.amazonaws.com use the key", "checked before the topics exist")

	out, errOut, code := fake.run(t, "apply", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "created queue orders.fifo\n", "the rest is created all the same")
	assert.Contains(t, errOut, "key alias/orders: policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, errOut, "apply does not change a KMS key or its policy")
	assert.Contains(t, errOut, "--key-policy")

	out, _, code = fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "left key alias/orders: policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, out, "Apply complete: 0 created, 0 changed.")

	out, _, code = fake.run(t, "plan", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "! fix key alias/orders: policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, out, "Plan: 0 to create, 0 to change.\n")
	assert.Contains(t, out, "1 to fix outside apply")

	out, _, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "apply does not change a KMS key or its policy")

	printed, errOut, code := fake.run(t, "iam-policy", "-f", path, "--account-id", fake.sqs.AccountID(), "--region", fake.sqs.Region(), "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.kms.SetKeyPolicy(key, withStatements(t, encryptiontest.DefaultKeyPolicy(), printed))

	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitOK, code, out+errOut)
	assert.Contains(t, out, "No drift")
}

// withStatements returns policy with the statements of the policy document
// printed added.
func withStatements(t *testing.T, policy, printed string) string {
	t.Helper()
	var doc, add map[string]any
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	require.NoError(t, json.Unmarshal([]byte(printed), &add))
	doc["Statement"] = append(doc["Statement"].([]any), add["Statement"].([]any)...)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

// An operator who may not read the key sees it as not checked, not as a
// fix for the key's owner, and can leave the key out of the check.
func TestValidate_AKeyTheCredentialsMayNotReadIsNotCheckedOrSkipped(t *testing.T) {
	fake, key, path := newKeyFake(t)
	fake.kms.SetDenied(key, true)

	out, _, code := fake.run(t, "plan", "-f", path)
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "? unknown key alias/orders: not checked: kms:DescribeKey denied")
	assert.NotContains(t, out, "to fix outside apply")
	assert.Contains(t, out, "pass --skip-key-check")

	out, errOut, code := fake.run(t, "apply", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "left key alias/orders: not checked")
	assert.Contains(t, errOut, "give the credentials kms:DescribeKey and kms:GetKeyPolicy")

	_, errOut, code = fake.run(t, "--skip-key-check", "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	out, errOut, code = fake.run(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "key alias/orders: not checked")
	out, errOut, code = fake.run(t, "validate", "--skip-key-check", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "No drift")
}

// stallingKMS answers DescribeKey only when the call's context ends.
type stallingKMS struct {
	*encryptiontest.KMS
	called chan struct{}
}

func (s stallingKMS) DescribeKey(ctx context.Context, _ *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	select {
	case s.called <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// A key check cut short is no drift and no unknown: an interrupt exits 130
// and a --timeout expiry exits 3, as for any AWS call.
func TestPlan_AKeyCheckCutShortFailsTheCommand(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
	stall := stallingKMS{KMS: encryptiontest.New(), called: make(chan struct{}, 1)}
	cfg, _, errOut := fake.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.KMS = stall
		return c, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stall.called
		cancel()
	}()

	code := cli.Run(ctx, cfg, []string{"plan", "-f", path})

	assert.Equal(t, cli.ExitInterrupted, code, errOut.String())
	assert.Contains(t, errOut.String(), "kms:DescribeKey alias/orders")

	cfg, _, errOut = fake.config("")
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.KMS = stall
		return c, err
	}
	code = cli.Run(context.Background(), cfg, []string{"validate", "--timeout", "300ms", "-f", path})
	assert.Equal(t, cli.ExitAWS, code, errOut.String())
	assert.NotContains(t, errOut.String(), "for usage")
}

// newKeyFake returns the fakes with a KMS key under alias/orders, the key's
// id, and the path of the orders topology file that names the alias.
func newKeyFake(t *testing.T) (fake *fakeAWS, key, path string) {
	t.Helper()
	fake = newFakeAWS()
	fake.kms = encryptiontest.New()
	key = fake.kms.CreateKey()
	fake.kms.SetAlias("alias/orders", key)
	return fake, key, writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: "alias/orders"})
}
