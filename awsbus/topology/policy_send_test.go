package topology_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// sendPolicy is a queue policy of one statement that lets SNS send, with
// the fields given replacing or adding to the statement's elements (a nil
// value removes one).
func sendPolicy(elements map[string]string) string {
	stmt := map[string]string{
		"Effect":    `"Allow"`,
		"Principal": `{"Service":"sns.amazonaws.com"}`,
		"Action":    `"sqs:SendMessage"`,
		"Resource":  `"` + queueARN + `"`,
		"Condition": `{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}`,
	}
	for k, v := range elements {
		stmt[k] = v
	}
	out := `{"Version":"2012-10-17","Statement":[{`
	first := true
	for _, k := range []string{"Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"} {
		if v, ok := stmt[k]; ok && v != "" {
			if !first {
				out += ","
			}
			out += `"` + k + `":` + v
			first = false
		}
	}
	return out + `}]}`
}

// An existing statement counts as letting topicA send only when IAM would
// allow the call SNS makes for it: action, resource and every condition
// cover sqs:SendMessage on this queue from the topic.
func TestMergeQueuePolicy_CountsOnlyStatementsThatCoverTheCall(t *testing.T) {
	for name, tc := range map[string]struct {
		elements map[string]string
		counts   bool
	}{
		"the statement Create writes":    {nil, true},
		"resource of another queue":      {map[string]string{"Resource": `"arn:aws:sqs:us-east-1:210987654321:other"`}, false},
		"resource list with this queue":  {map[string]string{"Resource": `["arn:aws:sqs:us-east-1:210987654321:other","` + queueARN + `"]`}, true},
		"resource star":                  {map[string]string{"Resource": `"*"`}, true},
		"resource wildcard that matches": {map[string]string{"Resource": `"arn:aws:sqs:*:210987654321:svc-?vents"`}, true},
		"resource wildcard of others":    {map[string]string{"Resource": `"arn:aws:sqs:*:210987654321:other-*"`}, false},
		"resource absent: this queue":    {map[string]string{"Resource": ""}, true},
		"NotResource":                    {map[string]string{"Resource": "", "NotResource": `"arn:aws:sqs:*:*:other"`}, false},
		"action wildcard":                {map[string]string{"Action": `"sqs:Send*"`}, true},
		"action wildcard in any case":    {map[string]string{"Action": `["SQS:SEND?ESSAGE"]`}, true},
		"action in another case":         {map[string]string{"Action": `"SQS:sendmessage"`}, true},
		"action wildcard of others":      {map[string]string{"Action": `"sqs:Receive*"`}, false},
		"NotAction":                      {map[string]string{"Action": "", "NotAction": `"sqs:DeleteQueue"`}, false},
		"NotPrincipal":                   {map[string]string{"Principal": "", "NotPrincipal": `{"AWS":"arn:aws:iam::210987654321:root"}`}, false},
		"unknown extra condition": {map[string]string{"Condition": `{"ArnEquals":{"aws:SourceArn":"` + topicA + `"},` +
			`"StringEquals":{"aws:SourceVpce":"vpce-1"}}`}, false},
		"source account of another account": {map[string]string{"Condition": `{"ArnEquals":{"aws:SourceArn":"` + topicA + `"},` +
			`"StringEquals":{"aws:SourceAccount":"111122223333"}}`}, false},
		"source account of the topic": {map[string]string{"Condition": `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:a"},` +
			`"StringEquals":{"aws:SourceAccount":"210987654321"}}`}, true},
		"unknown operator on the source": {map[string]string{"Condition": `{"ArnLikeSomehow":{"aws:SourceArn":"` + topicA + `"}}`}, false},
		"source of another topic":        {map[string]string{"Condition": `{"ArnEquals":{"aws:SourceArn":"` + topicB + `"}}`}, false},
		"condition not an object":        {map[string]string{"Condition": `"aws:SourceArn"`}, false},
	} {
		t.Run(name, func(t *testing.T) {
			existing := sendPolicy(tc.elements)

			merged, added, err := topology.MergeQueuePolicy(existing, queueARN, []string{topicA})

			require.NoError(t, err)
			if tc.counts {
				assert.Empty(t, added)
				assert.Equal(t, existing, merged)
				return
			}
			assert.Equal(t, []string{topicA}, added)
			assert.Len(t, statementsOf(t, merged), 2)
			again, more, err := topology.MergeQueuePolicy(merged, queueARN, []string{topicA})
			require.NoError(t, err)
			assert.Empty(t, more, "the statement added counts")
			assert.Equal(t, merged, again)
		})
	}
}

// A Deny statement that applies to the call SNS makes for a topic wins
// over any Allow: the merge refuses rather than add a statement that would
// change nothing, again on every run. The guardrails operators commonly
// write, which exempt AWS services or test keys the check cannot know
// (aws:SourceOrgID), refuse nothing: a service would not start.
func TestMergeQueuePolicy_RefusesATopicADenyBlocks(t *testing.T) {
	allow := mustMerge(t, "", topicA)
	for name, tc := range map[string]struct {
		deny   string
		blocks bool
	}{
		"every principal":        {`{"Sid":"NoSNS","Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}`, true},
		"the topic":              {`{"Effect":"Deny","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:*","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicA + `"}}}`, true},
		"outside a VPC endpoint": {`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"` + queueARN + `","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}`, true},
		"outside a VPC, AWS services exempt": {`{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{` +
			`"StringNotEquals":{"aws:SourceVpc":"vpc-1"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`, false},
		"principals outside the organization": {`{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{` +
			`"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`, false},
		"services acting for another organization": {`{"Sid":"ConfusedDeputy","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{` +
			`"StringNotEqualsIfExists":{"aws:SourceOrgID":"o-abc"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}}}`, false},
		"under a condition the check cannot evaluate": {`{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Condition":{` +
			`"StringNotEquals":{"aws:SourceOrgPaths":"o-abc/r-ab12/"}}}`, false},
		"another topic":        {`{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicB + `"}}}`, false},
		"another queue":        {`{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:210987654321:other"}`, false},
		"another action":       {`{"Effect":"Deny","Principal":"*","Action":"sqs:DeleteQueue","Resource":"*"}`, false},
		"a role":               {`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::210987654321:role/ops"},"Action":"*","Resource":"*"}`, false},
		"all but SNS":          {`{"Effect":"Deny","NotPrincipal":{"Service":"sns.amazonaws.com"},"Action":"*","Resource":"*"}`, false},
		"requests without TLS": {`{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			existing := `{"Statement":[` + statementJSON(t, allow) + `,` + tc.deny + `]}`

			merged, added, err := topology.MergeQueuePolicy(existing, queueARN, []string{topicA})

			if !tc.blocks {
				require.NoError(t, err)
				assert.Empty(t, added)
				assert.Equal(t, existing, merged)
				return
			}
			require.ErrorIs(t, err, topology.ErrTopicDenied)
			assert.Contains(t, err.Error(), topicA)
			assert.Contains(t, err.Error(), queueARN)
			assert.Contains(t, err.Error(), "Deny statement")
			assert.Empty(t, merged)
			assert.Empty(t, added)
		})
	}
}

// statementJSON returns the only statement of policy as JSON.
func statementJSON(t *testing.T, policy string) string {
	t.Helper()
	stmts := statementsOf(t, policy)
	require.Len(t, stmts, 1)
	b, err := json.Marshal(stmts[0])
	require.NoError(t, err)
	return string(b)
}
