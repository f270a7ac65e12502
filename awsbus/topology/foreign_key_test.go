package topology_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// SNS delivering from another account's topic to the service's event
// queue, encrypted at rest under the service's key, calls KMS with that
// topic's ARN and its owner's account as source (aws:SourceArn,
// aws:SourceAccount): the key policy statements let it, or SNS drops
// every message of the topic.
func TestTopology_KeyPolicyStatementsLetSNSDeliverFromAForeignTopic(t *testing.T) {
	p, err := topology.New(billingBinding(foreignTopicARN, foreignQueueARN), topology.Options{KMSKeyID: "alias/billing"})
	require.NoError(t, err)

	stmts, err := topology.NewKeyPolicyStatements(p, topology.IAMConfig{AccountID: "222222222222", Region: "us-east-1"})
	require.NoError(t, err)

	var found bool
	for _, s := range stmts {
		arns, accounts := s.Condition["ArnLike"]["aws:SourceArn"], s.Condition["StringEquals"]["aws:SourceAccount"]
		if assert.ObjectsAreEqual(map[string][]string{"Service": {"sns.amazonaws.com"}}, s.Principal) &&
			slices.Contains(arns, foreignTopicARN) && slices.Contains(accounts, "111111111111") {
			found = true
			assert.Equal(t, []string{"kms:Decrypt", "kms:GenerateDataKey"}, s.Action)
		}
	}
	assert.True(t, found, "no statement lets SNS of account 111111111111 use the key for %s: %+v", foreignTopicARN, stmts)
}

// Validate reports a key policy that does not let SNS deliver from a
// subscribed topic of another account, and accepts the statements
// NewKeyPolicyStatements prints for it.
func TestTopology_ValidateChecksTheKeyPolicyForAForeignTopic(t *testing.T) {
	ctx := context.Background()
	a := newSharedByA(t)
	p, err := topology.New(billingBinding(a.topicARN, a.queueARN), topology.Options{KMSKeyID: "alias/billing"})
	require.NoError(t, err)
	k := encryptiontest.New()
	key := k.CreateKey()
	k.SetAlias("alias/billing", key)
	k.SetKeyAccount(key, a.sq.AccountID())
	prov, err := newProvisioner(a.sq, a.sn, topology.ProvisionerConfig{KMS: k})
	require.NoError(t, err)
	_, err = prov.Create(ctx, p)
	require.NoError(t, err)

	rep, _, err := prov.Validate(ctx, p)
	require.NoError(t, err)
	require.Len(t, rep.Drifts, 1, "%v", rep)
	assert.Contains(t, rep.Drifts[0].String(), "policy does not let sns.amazonaws.com use the key")
	assert.Contains(t, rep.Drifts[0].String(), "for topic(s) order-events")

	stmts, err := topology.NewKeyPolicyStatements(p, topology.IAMConfig{AccountID: a.sq.AccountID(), Region: a.sq.Region()})
	require.NoError(t, err)
	var add []any
	for _, s := range stmts {
		add = append(add, s)
	}
	k.SetKeyPolicy(key, keyPolicy(t, add...))
	rep, _, err = prov.Validate(ctx, p)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "drifts: %v", rep)
}
