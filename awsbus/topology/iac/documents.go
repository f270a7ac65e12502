package iac

import (
	"encoding/json"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// redrivePolicy moves a message to dlq after maxReceives receives.
func redrivePolicy(dlq *resource, maxReceives int) map[string]any {
	return map[string]any{"deadLetterTargetArn": ref{dlq, "arn"}, "maxReceiveCount": maxReceives}
}

// queuePolicy lets each topic send to queue: the statements
// topology.MergeQueuePolicy adds, so Validate finds them.
func queuePolicy(queue *resource, topics []*resource) map[string]any {
	stmts := make([]any, 0, len(topics))
	for _, t := range topics {
		stmts = append(stmts, map[string]any{
			"Sid":       topology.PolicySid(t.name),
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  ref{queue, "arn"},
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ref{t, "arn"}}},
		})
	}
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

// keyPolicy gives the account's IAM policies control of the key, as AWS's
// default key policy does (services get their kms: permissions from
// iam-policy), and lets SNS and SQS use it for this account's encrypted
// topics and queues.
func keyPolicy() map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{
			"Sid":       "AccountIAMPolicies",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": accountRoot{}},
			"Action":    "kms:*",
			"Resource":  "*",
		},
		map[string]any{
			"Sid":       "SNSAndSQSOfThisAccount",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": []any{"sns.amazonaws.com", "sqs.amazonaws.com"}},
			"Action":    []any{"kms:GenerateDataKey*", "kms:Decrypt"},
			"Resource":  "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accountID{}}},
		},
	}}
}

// filterPolicy is topology.FilterPolicy as a document.
func filterPolicy(types []string) map[string]any {
	var doc map[string]any
	_ = json.Unmarshal([]byte(topology.FilterPolicy(types)), &doc) // topology wrote it with json.Marshal
	return doc
}
