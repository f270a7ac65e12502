package topology_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// topicPolicyStatements returns the statements of the access policy of the
// topic with arn.
func topicPolicyStatements(t *testing.T, sn *awsbustest.SNS, arn string) []map[string]any {
	t.Helper()
	out, err := sn.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	var doc struct{ Statement []map[string]any }
	if p := out.Attributes["Policy"]; p != "" {
		require.NoError(t, json.Unmarshal([]byte(p), &doc), p)
	}
	return doc.Statement
}

// topicTLSStatement is the statement refusing publishing to the topic arn
// without TLS.
func topicTLSStatement(arn string) map[string]any {
	return map[string]any{
		"Sid": topology.SecureTransportSid, "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
}

// newTopicWithPolicy creates topic name with the access policy policy
// ("" for none), as another tool or an older release would have.
func newTopicWithPolicy(t *testing.T, sn *awsbustest.SNS, name, policy string) string {
	t.Helper()
	attrs := map[string]string{}
	if policy != "" {
		attrs["Policy"] = policy
	}
	out, err := sn.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.TopicArn)
}

// Create makes every topic with the statement refusing publishing without
// TLS, at CreateTopic: a second Create writes nothing, and Validate finds
// no drift.
func TestTopology_CreateMakesTopicsRefusePublishingWithoutTLS(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})

	for _, name := range []string{"order-events", "payment-events"} {
		arn := eps[name].TopicARN
		assert.Equal(t, []map[string]any{topicTLSStatement(arn)}, topicPolicyStatements(t, sn, arn), name)
	}
	assert.Zero(t, sn.Calls("SetTopicAttributes"), "the policy is given at CreateTopic")
	create(t, sq, sn, topology.Options{})
	assert.Zero(t, sn.Calls("SetTopicAttributes"), "a second Create writes nothing")
	assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, ordersBinding()))
}

// An existing topic the service publishes to, without the statement, is
// drift; Create adds the statement and keeps the policy's others.
func TestTopology_CreateAddsTheTLSStatementToATopicItPublishesTo(t *testing.T) {
	sq, sn := newFakes()
	ops := `{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ops"},` +
		`"Action":"sns:GetTopicAttributes","Resource":"*"}]}`
	arn := newTopicWithPolicy(t, sn, "order-events", ops)

	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	rep, _, err := topo.Validate(context.Background(), p) // the account names the topic before any queue exists
	require.NoError(t, err)
	assert.Contains(t, driftStrings(rep),
		"topic order-events: Policy does not refuse publishing without TLS (statement SourceFlowDenyInsecureTransport: "+
			"Deny sns:Publish when aws:SecureTransport is false)")

	create(t, sq, sn, topology.Options{})
	stmts := topicPolicyStatements(t, sn, arn)
	require.Len(t, stmts, 2)
	assert.Equal(t, "Ops", stmts[0]["Sid"], "the existing statement is kept")
	assert.Equal(t, topicTLSStatement(arn), stmts[1])
	assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, ordersBinding()))
}

// A topic the service only listens to is its publisher's: Create makes it
// with the statement when it is missing, and otherwise leaves its policy
// alone, as it leaves a queue it only sends to; Validate does not report
// it.
func TestTopology_CreateLeavesTheTLSStatementOfATopicItOnlyListensTo(t *testing.T) {
	sq, sn := newFakes()
	arn := newTopicWithPolicy(t, sn, "payment-events", "")

	createFor(t, sq, sn, topology.Options{}, listenOnlyBinding())

	assert.Empty(t, topicPolicyStatements(t, sn, arn))
	assert.Zero(t, sn.Calls("SetTopicAttributes"))
	assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, listenOnlyBinding()))

	sq, sn = newFakes()
	eps, _ := createFor(t, sq, sn, topology.Options{}, listenOnlyBinding())
	arn = eps["payment-events"].TopicARN
	assert.Equal(t, []map[string]any{topicTLSStatement(arn)}, topicPolicyStatements(t, sn, arn), "a missing topic is made with it")
}

// A service that only publishes, run without the account, has no ARN to
// put in the policy at CreateTopic: Create sets it once the topic is made.
func TestTopology_CreateSecuresATopicMadeWithoutTheAccount(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := createFor(t, sq, sn, topology.Options{}, publishOnlyBinding())

	arn := eps["audit-events"].TopicARN
	assert.Equal(t, []map[string]any{topicTLSStatement(arn)}, topicPolicyStatements(t, sn, arn))
}
