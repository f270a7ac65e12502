package topology_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestRequireSecureTransport_AddsTheDenyOnceAndKeepsOtherStatements(t *testing.T) {
	merged, added, err := topology.RequireSecureTransport(foreign, queueARN)
	require.NoError(t, err)
	require.True(t, added)
	var doc struct {
		ID        string `json:"Id"`
		Statement []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(merged), &doc))
	assert.Equal(t, "ops", doc.ID)
	require.Len(t, doc.Statement, 2)
	assert.Equal(t, "Ops", doc.Statement[0]["Sid"])
	assert.Equal(t, map[string]any{
		"Sid": topology.SecureTransportSid, "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": queueARN,
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}, doc.Statement[1])
	assert.True(t, topology.RefusesInsecureTransport(merged, queueARN))
	assert.False(t, topology.RefusesInsecureTransport(merged, "arn:aws:sqs:us-east-1:210987654321:other"), "the statement names its queue")

	again, added, err := topology.RequireSecureTransport(merged, queueARN)
	require.NoError(t, err)
	assert.False(t, added)
	assert.Equal(t, merged, again)
}

func TestRefusesInsecureTransport_RecognisesEquivalentStatements(t *testing.T) {
	for name, tc := range map[string]struct {
		policy string
		want   bool
	}{
		"none":          {"", false},
		"invalid":       {"{", false},
		"only allows":   {foreign, false},
		"AWS star":      {`{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["*"],"Resource":"*","Condition":{"Bool":{"aws:securetransport":false}}}}`, true},
		"string list":   {`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"SQS:*","Resource":["arn:aws:sqs:*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}}]}`, true},
		"allow":         {`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		"one action":    {`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		"one account":   {`{"Statement":[{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		"tls required":  {`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, false},
		"other queue":   {`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:210987654321:other","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		"narrower deny": {`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, topology.RefusesInsecureTransport(tc.policy, queueARN))
		})
	}
}
