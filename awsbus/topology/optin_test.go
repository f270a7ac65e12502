package topology_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

const (
	optInTopicARN = "arn:aws:sns:ap-east-1:111111111111:order-events"
	usEastQueue   = "arn:aws:sqs:us-east-1:222222222222:billing-order-events"
)

// policyPrincipals returns the SNS principals of the statements of a queue
// policy.
func policyPrincipals(t *testing.T, policy string) [][]any {
	t.Helper()
	var doc struct {
		Statement []struct {
			Principal struct{ Service any }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	var out [][]any
	for _, s := range doc.Statement {
		switch v := s.Principal.Service.(type) {
		case string:
			out = append(out, []any{v})
		case []any:
			out = append(out, v)
		}
	}
	return out
}

// SNS delivering from a topic of an opt-in region to a queue of another
// region calls as sns.<opt-in-region>.amazonaws.com: the statement added
// names it besides sns.amazonaws.com, and a statement naming only
// sns.amazonaws.com does not count as letting the topic send.
func TestMergeQueuePolicyNamesTheRegionalPrincipalOfAnOptInRegion(t *testing.T) {
	for _, tc := range []struct {
		name, topic, queue string
		want               []any
	}{
		{"topic of an opt-in region", optInTopicARN, usEastQueue, []any{"sns.amazonaws.com", "sns.ap-east-1.amazonaws.com"}},
		{"queue of an opt-in region", "arn:aws:sns:us-east-1:111111111111:order-events",
			"arn:aws:sqs:me-south-1:222222222222:q", []any{"sns.amazonaws.com", "sns.me-south-1.amazonaws.com"}},
		{"one opt-in region", optInTopicARN, "arn:aws:sqs:ap-east-1:222222222222:q", []any{"sns.amazonaws.com"}},
		{"regions enabled by default", "arn:aws:sns:eu-west-1:111111111111:order-events", usEastQueue, []any{"sns.amazonaws.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			merged, added, err := topology.MergeQueuePolicy("", tc.queue, []string{tc.topic})
			require.NoError(t, err)
			require.Equal(t, []string{tc.topic}, added)
			assert.Equal(t, [][]any{tc.want}, policyPrincipals(t, merged))

			again, added, err := topology.MergeQueuePolicy(merged, tc.queue, []string{tc.topic})
			require.NoError(t, err)
			assert.Empty(t, added, "the statement written lets the topic send")
			assert.Equal(t, merged, again)
		})
	}
}

func TestMergeQueuePolicyDoesNotCountTheGlobalPrincipalForAnOptInRegion(t *testing.T) {
	global, _, err := topology.MergeQueuePolicy("", usEastQueue, []string{"arn:aws:sns:us-east-1:111111111111:order-events"})
	require.NoError(t, err)
	old := `{"Version":"2012-10-17","Statement":[{"Sid":"Old","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},` +
		`"Action":"sqs:SendMessage","Resource":"` + usEastQueue + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + optInTopicARN + `"}}}]}`
	require.NotEmpty(t, global)

	_, added, err := topology.MergeQueuePolicy(old, usEastQueue, []string{optInTopicARN})
	require.NoError(t, err)
	assert.Equal(t, []string{optInTopicARN}, added, "sns.amazonaws.com alone does not let SNS of ap-east-1 deliver")
}

// The key policy statements let SNS of the topic's opt-in region use the
// key for a foreign topic there.
func TestKeyPolicyStatementsNameTheRegionalPrincipalOfAnOptInTopic(t *testing.T) {
	p, err := topology.New(billingBinding(optInTopicARN, foreignQueueARN), topology.Options{KMSKeyID: "alias/billing"})
	require.NoError(t, err)

	stmts, err := topology.NewKeyPolicyStatements(p, topology.IAMConfig{AccountID: "222222222222", Region: "us-east-1"})
	require.NoError(t, err)

	var found bool
	for _, s := range stmts {
		if s.Sid == "SNSDeliversFromForeignTopics" {
			found = true
			assert.Equal(t, map[string][]string{"Service": {"sns.amazonaws.com", "sns.ap-east-1.amazonaws.com"}}, s.Principal)
		}
	}
	assert.True(t, found, "no statement for the foreign topic: %+v", stmts)
}

// SNS does not deliver between two opt-in regions: Create refuses such a
// subscription before any call, and Validate refuses it too.
func TestCreateRefusesASubscriptionBetweenTwoOptInRegions(t *testing.T) {
	sq, sn := newFakes()
	plan, err := topology.New(billingBinding(optInTopicARN, foreignQueueARN), topology.Options{})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: "me-south-1", AccountID: "222222222222"})
	require.NoError(t, err)

	_, err = topo.Create(context.Background(), plan)
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	assert.ErrorContains(t, err, "SNS does not deliver between two opt-in regions")
	for _, q := range plan.Queues {
		assert.Empty(t, sq.QueueURL(q.Name), "queue %s created", q.Name)
	}
	_, _, err = topo.Validate(context.Background(), plan)
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
}
