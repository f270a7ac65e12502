package iac

import (
	"slices"
	"strconv"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// redrivePolicy moves a message to dlq after maxReceives receives.
func redrivePolicy(dlq *resource, maxReceives int) map[string]any {
	return map[string]any{"deadLetterTargetArn": ref{dlq, "arn"}, "maxReceiveCount": maxReceives}
}

// topicSource is a topic that may send to a queue: its name, and its ARN,
// a reference to a topic of the output or the literal ARN of a topic of
// another account or region, whose region it has ("" for the output's).
type topicSource struct {
	name   string
	arn    any
	region string
}

// queuePolicy refuses requests to queue without TLS and lets each topic
// send to it: the statements topology.RequireSecureTransport and
// topology.MergeQueuePolicy add, so Validate finds them. A topic of an
// opt-in region is let in under its regional SNS principal too
// (snsPrincipals).
func queuePolicy(queue *resource, topics []topicSource) map[string]any {
	stmts := []any{secureTransport(queue, "sqs:*")}
	taken := map[string]bool{topology.SecureTransportSid: true}
	for _, t := range topics {
		stmts = append(stmts, map[string]any{
			"Sid":       freeSid(taken, topology.PolicySid(t.name)),
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": snsPrincipals(t.region)},
			"Action":    "sqs:SendMessage",
			"Resource":  ref{queue, "arn"},
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": t.arn}},
		})
	}
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

// topicPolicy refuses publishing to topic without TLS: the statement
// topology.RequireTopicSecureTransport adds, so Validate finds it. It is
// the topic's whole policy, as a policy set at CreateTopic is: SNS's
// default statement, which lets the account's principals use the topic
// as their IAM policies already do, is left out.
func topicPolicy(topic *resource) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{secureTransport(topic, "sns:Publish")}}
}

// secureTransport denies every principal action on r when the request is
// not over TLS.
func secureTransport(r *resource, action string) map[string]any {
	return map[string]any{
		"Sid":       topology.SecureTransportSid,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    action,
		"Resource":  ref{r, "arn"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
}

// freeSid returns sid, or sid with the smallest number from 2 on that is
// not taken, and takes it: SQS refuses a policy whose statements share a
// Sid, and two topics whose names differ only in characters a Sid cannot
// hold ("order-events", "orderevents") have one.
func freeSid(taken map[string]bool, sid string) string {
	out := sid
	for n := 2; taken[out]; n++ {
		out = sid + strconv.Itoa(n)
	}
	taken[out] = true
	return out
}

// keyPolicy leaves the key to the account's IAM policies, as AWS's default
// key policy does (the services get their kms: permissions from
// iam-policy), and lets SNS of this account generate and decrypt data keys:
// SNS needs that to deliver to a queue, or publish on a topic, encrypted at
// rest under this key. SNS delivering from foreignTopics, topics of other
// accounts named by ARN, to queues under the key calls KMS as their owner
// (aws:SourceAccount): a statement lets it for those topics only, under
// the regional SNS principal of those of an opt-in region too.
func keyPolicy(foreignTopics []topology.Foreign) map[string]any {
	stmts := []any{
		map[string]any{
			"Sid":       "AccountIAMPolicies",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": accountRoot{}},
			"Action":    "kms:*",
			"Resource":  "*",
		},
		snsKeyStatement("SNSOfThisAccount", "sns.amazonaws.com", map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accountID{}}}),
	}
	if len(foreignTopics) > 0 {
		var owners, arns []any
		var regions []string
		for _, f := range foreignTopics {
			if !slices.Contains(owners, any(f.Account)) {
				owners = append(owners, f.Account)
			}
			arns, regions = append(arns, f.ARN), append(regions, f.Region)
		}
		stmts = append(stmts, snsKeyStatement("SNSOfForeignTopics", snsPrincipals(regions...), map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": owners},
			"ArnLike":      map[string]any{"aws:SourceArn": arns},
		}))
	}
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

// snsKeyStatement lets SNS, calling as principal (one name or a list),
// generate and decrypt data keys under the condition cond.
func snsKeyStatement(sid string, principal any, cond map[string]any) map[string]any {
	return map[string]any{
		"Sid":       sid,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": principal},
		"Action":    anyList(topology.SNSKeyActions()),
		"Resource":  "*",
		"Condition": cond,
	}
}

// snsPrincipals returns the SNS principals that deliver from topics of
// regions, those of topics of another account or region named by ARN (""
// for a topic of the output): sns.amazonaws.com, and the regional
// principal of each opt-in one (topology.SNSPrincipals). SNS delivers from a
// topic of a region enabled by default to a queue of an opt-in region as
// that region's principal, and the output's region is not known until it
// is deployed: with such a topic, that principal is named where the output
// is deployed in an opt-in region (inOptInRegion), in place of those of
// the topics' opt-in regions (SNS delivers from a topic of an opt-in
// region only to a queue of that region, where it calls as
// sns.amazonaws.com). One name is given
// alone, so the statements of topics of regions enabled by default stay
// as they were where the output is deployed in such a region.
func snsPrincipals(regions ...string) any {
	out := []any{"sns.amazonaws.com"}
	fromDefaultRegion := false
	for _, region := range regions {
		if region == "" {
			continue
		}
		fromDefaultRegion = fromDefaultRegion || !topology.IsOptInRegion(region)
		for _, p := range topology.SNSPrincipals(region, "")[1:] {
			if !slices.Contains(out, any(p)) {
				out = append(out, p)
			}
		}
	}
	one := any(out)
	if len(out) == 1 {
		one = out[0]
	}
	if !fromDefaultRegion {
		return one
	}
	return inOptInRegion{in: []any{"sns.amazonaws.com", deployedSNSPrincipal{}}, out: one}
}

// filterPolicy lets only types through, on the type attribute: the
// document topology.FilterPolicy writes.
func filterPolicy(types []string) map[string]any {
	return map[string]any{sourceflow.MetaType: anyList(types)}
}

// anyList returns list as the []any of a document.
func anyList(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
