package topology_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// setPolicy replaces the policy of the queue at url by the statements
// edit returns from those it has.
func setPolicy(t *testing.T, sq *awsbustest.SQS, url string, edit func([]map[string]any) []map[string]any) string {
	t.Helper()
	stmts := edit(statementsOf(t, queueAttrs(t, sq, url)["Policy"]))
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	require.NoError(t, err)
	_, err = sq.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": string(b)},
	})
	require.NoError(t, err)
	return string(b)
}

// An operator's Deny statement that may refuse the topic's call wins over
// the Allow Create wrote: Create fails naming it and leaves the policy as
// it is, every time, and Validate reports it.
func TestTopology_ADenyBlockingATopicFailsCreateAndIsDrift(t *testing.T) {
	sq, sn := newFakes()
	eps, p := create(t, sq, sn, topology.Options{})
	ep := eps["payment-events"]
	policy := setPolicy(t, sq, ep.QueueURL, func(stmts []map[string]any) []map[string]any {
		return append(stmts, map[string]any{
			"Sid": "OnlyFromTheVPC", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
			"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": "vpce-1"}},
		})
	})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	before := writes(sq, sn)

	for range 2 {
		_, err = topo.Create(ctx, p)
		require.ErrorIs(t, err, topology.ErrTopicDenied)
		assert.Contains(t, err.Error(), `Deny statement "OnlyFromTheVPC" blocks topic `+ep.TopicARN)
	}

	assert.Equal(t, before, writes(sq, sn), "Create changed nothing")
	assert.Equal(t, policy, queueAttrs(t, sq, ep.QueueURL)["Policy"])
	rep, _, err := topo.Validate(ctx, p)
	require.NoError(t, err)
	got := strings.Join(driftStrings(rep), "\n")
	assert.Contains(t, got, `policy orders-payment-events: Deny statement "OnlyFromTheVPC" blocks topic `+ep.TopicARN)
	assert.Len(t, rep.Drifts, 1, got)
}

// An organization's guardrail on every queue, which refuses AWS services
// acting for a resource outside the organization (aws:SourceOrgID, which
// the check cannot know), stops neither Create nor Validate: the service
// starts, and IAM alone decides.
func TestTopology_AnOrganizationGuardrailIsNoDrift(t *testing.T) {
	sq, sn := newFakes()
	eps, p := create(t, sq, sn, topology.Options{})
	ep := eps["payment-events"]
	policy := setPolicy(t, sq, ep.QueueURL, func(stmts []map[string]any) []map[string]any {
		return append(stmts, map[string]any{
			"Sid": "ConfusedDeputy", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
			"Condition": map[string]any{
				"StringNotEqualsIfExists": map[string]any{"aws:SourceOrgID": "o-abc"},
				"Null":                    map[string]any{"aws:SourceAccount": "false"},
				"Bool":                    map[string]any{"aws:PrincipalIsAWSService": "true"},
			},
		})
	})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	before := writes(sq, sn)

	_, err = topo.Create(ctx, p)

	require.NoError(t, err)
	assert.Equal(t, before, writes(sq, sn), "Create changed nothing")
	assert.Equal(t, policy, queueAttrs(t, sq, ep.QueueURL)["Policy"])
	rep, _, err := topo.Validate(ctx, p)
	require.NoError(t, err)
	assert.True(t, rep.OK(), rep.String())
}

// A statement that lets the topic send to another queue lets it send
// nothing here: Validate reports it and Create adds the statement the
// queue needs, once.
func TestTopology_AStatementForAnotherQueueIsDrift(t *testing.T) {
	sq, sn := newFakes()
	eps, p := create(t, sq, sn, topology.Options{})
	ep := eps["payment-events"]
	setPolicy(t, sq, ep.QueueURL, func(stmts []map[string]any) []map[string]any {
		for _, s := range stmts {
			if s["Effect"] == "Allow" {
				s["Resource"] = sq.QueueARN("orders-payment-events-dlq")
			}
		}
		return stmts
	})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	ctx := context.Background()

	rep, _, err := topo.Validate(ctx, p)
	require.NoError(t, err)
	got := strings.Join(driftStrings(rep), "\n")
	assert.Contains(t, got, "policy orders-payment-events: no statement lets topic "+ep.TopicARN+" send")
	assert.Len(t, rep.Drifts, 1, got)

	for range 2 {
		_, err = topo.Create(ctx, p)
		require.NoError(t, err)
	}
	assert.Len(t, statementsOf(t, queueAttrs(t, sq, ep.QueueURL)["Policy"]), 3, "the TLS statement, the one for the other queue, one added")
	rep, _, err = topo.Validate(ctx, p)
	require.NoError(t, err)
	assert.Empty(t, rep.Drifts, strings.Join(driftStrings(rep), "\n"))
}
