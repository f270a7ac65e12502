package iac_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// The key policy of the output lets SNS, of the account and of the owner
// of a subscribed topic of another account, take the actions on the key
// that NewKeyPolicyStatements grants it for a key the service did not
// create.
func TestKeyPolicyGrantsSNSWhatKeyPolicyStatementsGrant(t *testing.T) {
	p := listenerPlan(t, "arn:aws:sns:eu-west-1:111111111111:order-events", topology.Options{KMSKeyID: "alias/billing"})
	want, err := topology.NewKeyPolicyStatements(p, topology.IAMConfig{AccountID: "222222222222", Region: "us-east-1"})
	require.NoError(t, err)
	require.NotEmpty(t, want)

	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	var sns int
	for _, s := range policyStatements(t, cfn)["AWS::KMS::Key"] {
		if _, ok := s["Principal"].(map[string]any)["Service"]; !ok {
			continue
		}
		sns++
		var got []string
		for _, a := range s["Action"].([]any) {
			got = append(got, a.(string))
		}
		slices.Sort(got)
		assert.Equal(t, want[0].Action, got, "statement %v", s["Sid"])
	}
	assert.Equal(t, 2, sns, "SNS statements of the key policy:\n%s", cfn)
}
