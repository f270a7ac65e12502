package topology

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SNS delivering from a topic of a region enabled by default to a queue
// under a key of an opt-in region calls KMS as that region's principal,
// which a statement for sns.amazonaws.com alone does not cover: the drift
// names the principal that is missing, not the one the policy has.
func TestReportKeyPolicyNamesTheMissingRegionalPrincipal(t *testing.T) {
	const (
		keyARN   = "arn:aws:kms:me-south-1:222222222222:key/1234"
		topicARN = "arn:aws:sns:us-east-1:111111111111:order-events"
	)
	policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},` +
		`"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
	var rep DriftReport
	reportKeyPolicy(&rep, "alias/billing", keyARN, policy, []string{topicARN})

	require.Len(t, rep.Drifts, 1, "%v", rep)
	problem := rep.Drifts[0].Problem
	assert.Contains(t, problem, "policy does not let sns.me-south-1.amazonaws.com use the key")
	assert.Contains(t, problem, "no Allow statement for sns.me-south-1.amazonaws.com whose")
	assert.NotContains(t, problem, "let sns.amazonaws.com")
}

// Topics of the key's region and of a region enabled by default, refused
// both, name both principals SNS calls as.
func TestReportKeyPolicyNamesEachMissingPrincipalOnce(t *testing.T) {
	const keyARN = "arn:aws:kms:me-south-1:222222222222:key/1234"
	topics := []string{
		"arn:aws:sns:me-south-1:222222222222:billing-events",
		"arn:aws:sns:us-east-1:111111111111:order-events",
		"arn:aws:sns:us-west-2:111111111111:stock-events",
	}
	var rep DriftReport
	reportKeyPolicy(&rep, "alias/billing", keyARN, `{"Statement":[]}`, topics)

	require.Len(t, rep.Drifts, 1, "%v", rep)
	assert.Contains(t, rep.Drifts[0].Problem,
		"policy does not let sns.amazonaws.com, sns.me-south-1.amazonaws.com use the key")
}
