package topology_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// FuzzMergeQueuePolicy parses arbitrary existing queue policies. It checks
// that only a document that is not a JSON object, a topic ARN holding a
// wildcard, or a policy with a Deny statement (ErrTopicDenied) is refused;
// that a merge
// keeps every existing element, appends one statement per added topic and
// allows every topic; and that merging again adds nothing.
func FuzzMergeQueuePolicy(f *testing.F) {
	one, _, err := topology.MergeQueuePolicy("", queueARN, []string{topicA})
	require.NoError(f, err)
	two, _, err := topology.MergeQueuePolicy(foreign, queueARN, []string{topicA, topicB})
	require.NoError(f, err)
	like := `{"Statement":{"Effect":"Allow","Action":["sqs:*"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:210987654321:*"}}}}`
	for _, seed := range []struct{ existing, topic1, topic2 string }{
		{"", topicA, ""},
		{one, topicA, topicB},
		{two, topicB, topicA},
		{foreign, topicA, topicA},
		{like, topicA, "arn:aws:sns:eu-west-1:1:c"},
		{`{"Statement":"none","Version":null}`, topicA, ""},
		{`[]`, topicA, ""},
		{`{"Statement":[1,"x",null,{"Effect":"Allow","Action":"*","Condition":{"ArnLike":{"AWS:SOURCEARN":"["}}}]}`, topicB, ""},
		{`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:Send*","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicB + `"}}}]}`, topicA, topicB},
		{`{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`, topicA, ""},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SQS:*","Resource":"arn:aws:sqs:*:210987654321:svc-*",` +
			`"Condition":{"StringLike":{"aws:SourceArn":"arn:aws:sns:*"},"StringEquals":{"aws:SourceAccount":"210987654321"}}}]}`, topicA, topicB},
	} {
		f.Add(seed.existing, seed.topic1, seed.topic2)
	}
	f.Fuzz(func(t *testing.T, existing, topic1, topic2 string) {
		if !utf8.ValidString(topic1) || !utf8.ValidString(topic2) {
			return // ARNs are ASCII; JSON cannot carry other bytes verbatim
		}
		topics := []string{topic1}
		if topic2 != "" {
			topics = append(topics, topic2)
		}
		merged, added, err := topology.MergeQueuePolicy(existing, queueARN, topics)
		before, isObject := policyObject(existing)
		if err != nil {
			wildcard := strings.ContainsAny(topic1+topic2, "*?")
			denied := errors.Is(err, topology.ErrTopicDenied) && hasDeny(before)
			require.True(t, !isObject || wildcard || denied, "policy %q is a JSON object, no topic holds a wildcard and no Deny blocks one, yet: %v", existing, err)
			require.Contains(t, err.Error(), queueARN)
			return
		}
		require.False(t, strings.ContainsAny(topic1+topic2, "*?"), "a topic ARN holding a wildcard merged")
		require.True(t, isObject, "policy %q is not a JSON object, yet it merged", existing)
		checkMerged(t, existing, merged, before, topics, added)
	})
}

// checkMerged asserts what a successful merge promises.
func checkMerged(t *testing.T, existing, merged string, before map[string]any, topics, added []string) {
	t.Helper()
	for i, topic := range added {
		require.Contains(t, topics, topic)
		require.NotContains(t, added[:i], topic, "topic added twice")
	}
	if len(added) == 0 {
		require.Equal(t, existing, merged, "nothing added, yet the policy changed")
	} else {
		after, ok := policyObject(merged)
		require.True(t, ok, "merged policy %q is not a JSON object", merged)
		old, now := statementList(before["Statement"]), statementList(after["Statement"])
		require.Len(t, now, len(old)+len(added))
		for i := range old {
			require.Equal(t, old[i], now[i], "existing statement %d changed", i)
		}
		for k, v := range before {
			if k != "Statement" {
				require.Equal(t, v, after[k], "element %q changed", k)
			}
		}
	}
	for _, topic := range topics {
		if slices.Contains(added, topic) {
			continue
		}
		_, again, err := topology.MergeQueuePolicy(existing, queueARN, []string{topic})
		require.NoError(t, err)
		require.Empty(t, again, "topic %q was not added, so the existing policy must allow it", topic)
	}
	again, more, err := topology.MergeQueuePolicy(merged, queueARN, topics)
	require.NoError(t, err)
	require.Empty(t, more, "a second merge added statements")
	require.Equal(t, merged, again)
}

// policyObject decodes a policy the way a merge reads it: blank is an empty
// document.
func policyObject(policy string) (map[string]any, bool) {
	doc := map[string]any{}
	if strings.TrimSpace(policy) == "" {
		return doc, true
	}
	var v any
	if json.Unmarshal([]byte(policy), &v) != nil {
		return nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case nil:
		return doc, true
	}
	return nil, false
}

// hasDeny reports whether policy has a Deny statement.
func hasDeny(policy map[string]any) bool {
	return slices.ContainsFunc(statementList(policy["Statement"]), func(s any) bool {
		m, _ := s.(map[string]any)
		return m["Effect"] == "Deny"
	})
}

// statementList normalises the Statement element: one object or a list.
func statementList(v any) []any {
	switch s := v.(type) {
	case []any:
		return s
	case map[string]any:
		return []any{s}
	}
	return nil
}
