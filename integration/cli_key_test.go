//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// On a real KMS, a key created with its default policy (the account's IAM
// policies decide) does not let SNS use it: apply creates the rest and exits
// 1 naming the key, and once the statement iam-policy --key-policy prints
// is in the key's policy, validate passes.
func TestCLI_ValidateReportsAKeyPolicyThatLeavesSNSOut(t *testing.T) {
	client, keyID, alias := encKMS(t)
	n := newTopologyNames("clikey")
	file, err := topology.NewFile(n.binding(), topology.Options{KMSKeyID: alias})
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, file.Encode(&text))
	path := filepath.Join(t.TempDir(), "topology.yaml")
	require.NoError(t, os.WriteFile(path, text.Bytes(), 0o600))
	account := emulatorAccount(t)
	t.Setenv("AWS_ACCOUNT_ID", account)

	out, errOut, code := runCLI(t, "apply", "-f", path)
	require.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, "created queue "+n.commands+"\n", "the rest is created all the same")
	assert.Contains(t, errOut, "key "+alias+": policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, errOut, "for topic(s) "+n.published+", "+n.subscribed)
	assert.Contains(t, errOut, "apply does not change a KMS key or its policy")

	printed, errOut, code := runCLI(t, "iam-policy", "-f", path, "--account-id", account, "--key-policy")
	require.Equal(t, cli.ExitOK, code, errOut)
	ctx := context.Background()
	current, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")})
	require.NoError(t, err)
	_, err = client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"),
		Policy: aws.String(addStatements(t, aws.ToString(current.Policy), printed))})
	require.NoError(t, err)

	out, errOut, code = runCLI(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitOK, code, out+errOut)
	assert.Contains(t, out, "No drift: service "+n.service)

	_, err = client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)})
	require.NoError(t, err)
	out, _, code = runCLI(t, "validate", "-f", path)
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, out, "key "+alias+": is Disabled")
}

// addStatements returns policy with the statements of the policy document
// printed appended.
func addStatements(t *testing.T, policy, printed string) string {
	t.Helper()
	var doc, add map[string]any
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	require.NoError(t, json.Unmarshal([]byte(printed), &add))
	stmts, _ := doc["Statement"].([]any)
	doc["Statement"] = append(stmts, add["Statement"].([]any)...)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}
