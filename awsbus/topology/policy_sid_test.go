package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// sidsOf returns the Sid of each statement of policy.
func sidsOf(t *testing.T, policy string) []string {
	t.Helper()
	var out []string
	for _, s := range statementsOf(t, policy) {
		sid, _ := s["Sid"].(string)
		out = append(out, sid)
	}
	return out
}

// SQS refuses a policy in which two statements share a Sid. A statement
// that carries the Sid awsbus writes but no longer does what awsbus needs
// (an operator narrowed the TLS deny to exempt a VPC endpoint) is kept, and
// the statement added beside it gets a Sid of its own.
func TestRequireSecureTransportKeepsStatementIdsUnique(t *testing.T) {
	narrowed := `{"Version":"2012-10-17","Statement":[{"Sid":"` + topology.SecureTransportSid + `","Effect":"Deny",` +
		`"Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},` +
		`"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}`

	merged, added, err := topology.RequireSecureTransport(narrowed, queueARN)

	require.NoError(t, err)
	require.True(t, added)
	sids := sidsOf(t, merged)
	require.Len(t, sids, 2)
	assert.NotEqual(t, sids[0], sids[1])
	assert.True(t, topology.RefusesInsecureTransport(merged, queueARN))
	again, added, err := topology.RequireSecureTransport(merged, queueARN)
	require.NoError(t, err)
	assert.False(t, added)
	assert.Equal(t, merged, again)
}

// The statement letting a topic send keeps its Sid unique likewise, when
// the policy holds one of that Sid for another topic of the same name (one
// in another region).
func TestMergeQueuePolicyKeepsStatementIdsUnique(t *testing.T) {
	other := "arn:aws:sns:eu-west-1:210987654321:a"
	existing, _, err := topology.MergeQueuePolicy("", queueARN, []string{other})
	require.NoError(t, err)

	merged, added, err := topology.MergeQueuePolicy(existing, queueARN, []string{topicA})

	require.NoError(t, err)
	assert.Equal(t, []string{topicA}, added)
	sids := sidsOf(t, merged)
	require.Len(t, sids, 2)
	assert.NotEqual(t, sids[0], sids[1])
}
