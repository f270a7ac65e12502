package topology_test

import (
	"encoding/json"
	"testing"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	queueARN = "arn:aws:sqs:us-east-1:210987654321:svc-events"
	topicA   = "arn:aws:sns:us-east-1:210987654321:a"
	topicB   = "arn:aws:sns:us-east-1:210987654321:b"
	foreign  = `{"Version":"2012-10-17","Id":"ops","Statement":[{"Sid":"Ops","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sqs:*","Resource":"` + queueARN + `"}]}`
)

func statementsOf(t *testing.T, policy string) []map[string]any {
	t.Helper()
	var doc struct{ Statement json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	var list []map[string]any
	if json.Unmarshal(doc.Statement, &list) == nil {
		return list
	}
	var one map[string]any
	require.NoError(t, json.Unmarshal(doc.Statement, &one))
	return []map[string]any{one}
}

func TestMergeQueuePolicy(t *testing.T) {
	tests := []struct {
		name      string
		existing  string
		topics    []string
		wantAdded []string
		wantStmts int
	}{
		{name: "empty policy", topics: []string{topicA}, wantAdded: []string{topicA}, wantStmts: 1},
		{name: "two topics", topics: []string{topicA, topicB}, wantAdded: []string{topicA, topicB}, wantStmts: 2},
		{name: "foreign statement kept", existing: foreign, topics: []string{topicA}, wantAdded: []string{topicA}, wantStmts: 2},
		{name: "already allowed by ArnEquals", existing: mustMerge(t, "", topicA), topics: []string{topicA}, wantStmts: 1},
		{name: "one new beside one allowed", existing: mustMerge(t, foreign, topicA), topics: []string{topicA, topicB},
			wantAdded: []string{topicB}, wantStmts: 3},
		{name: "allowed by ArnLike wildcard", existing: `{"Statement":{"Effect":"Allow","Principal":"*","Action":["sqs:SendMessage"],` +
			`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:210987654321:*"}}}}`, topics: []string{topicA}, wantStmts: 1},
		{name: "deny does not count", existing: `{"Statement":[{"Effect":"Deny","Action":"sqs:SendMessage",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}}]}`, topics: []string{topicA}, wantAdded: []string{topicA}, wantStmts: 2},
		{name: "a role's statement does not let the topic send", existing: `{"Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::210987654321:role/ops"},"Action":"sqs:SendMessage",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}}]}`, topics: []string{topicA}, wantAdded: []string{topicA}, wantStmts: 2},
		{name: "allowed to SNS among other services", existing: `{"Statement":[{"Effect":"Allow",` +
			`"Principal":{"Service":["events.amazonaws.com","sns.amazonaws.com"]},"Action":"sqs:SendMessage",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}}]}`, topics: []string{topicA}, wantStmts: 1},
		{name: "other action does not count", existing: `{"Statement":[{"Effect":"Allow","Action":"sqs:ReceiveMessage",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}}]}`, topics: []string{topicA}, wantAdded: []string{topicA}, wantStmts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			merged, added, err := topology.MergeQueuePolicy(tt.existing, queueARN, tt.topics)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAdded, added)
			if len(tt.wantAdded) == 0 {
				assert.Equal(t, tt.existing, merged, "nothing added: policy untouched")
			}
			assert.Len(t, statementsOf(t, merged), tt.wantStmts)
		})
	}
}

func mustMerge(t *testing.T, existing, topic string) string {
	merged, _, err := topology.MergeQueuePolicy(existing, queueARN, []string{topic})
	require.NoError(t, err)
	return merged
}

func TestMergeQueuePolicy_KeepsForeignStatementVerbatim(t *testing.T) {
	merged, _, err := topology.MergeQueuePolicy(foreign, queueARN, []string{topicA})
	require.NoError(t, err)

	stmts := statementsOf(t, merged)
	assert.Equal(t, "Ops", stmts[0]["Sid"])
	assert.Equal(t, "sqs:*", stmts[0]["Action"])
	assert.Equal(t, map[string]any{"Service": "sns.amazonaws.com"}, stmts[1]["Principal"])
	assert.Equal(t, "sqs:SendMessage", stmts[1]["Action"])
	assert.Equal(t, queueARN, stmts[1]["Resource"])
	assert.Regexp(t, `^[A-Za-z0-9]+$`, stmts[1]["Sid"])
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(merged), &doc))
	assert.Equal(t, "ops", doc["Id"])
}

func TestMergeQueuePolicy_RejectsInvalidJSON(t *testing.T) {
	_, _, err := topology.MergeQueuePolicy("{not json", queueARN, []string{topicA})
	require.Error(t, err)
	assert.Contains(t, err.Error(), queueARN)
}

// A statement for a topic ARN holding a wildcard would let every topic it
// matches send to the queue, so the merge refuses it, even after a topic it
// accepts.
func TestMergeQueuePolicy_RefusesWildcardTopic(t *testing.T) {
	for _, topic := range []string{"*", "arn:aws:sns:us-east-1:210987654321:orders-?"} {
		merged, added, err := topology.MergeQueuePolicy("", queueARN, []string{topicA, topic})
		require.Error(t, err, topic)
		assert.Contains(t, err.Error(), topic)
		assert.Contains(t, err.Error(), "wildcard")
		assert.Empty(t, merged)
		assert.Empty(t, added)
	}
}
