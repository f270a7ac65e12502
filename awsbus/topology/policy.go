package topology

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// PolicySidPrefix starts the Sid of every statement awsbus adds to a queue
// policy.
const PolicySidPrefix = "SourceFlowSNS"

// MergeQueuePolicy returns the queue access policy existing extended by one
// statement per topic ARN that may not yet send to the queue: Principal
// SNSPrincipals of the topic's and queue's regions (sns.amazonaws.com,
// and sns.<region>.amazonaws.com across regions one of which is opt-in), Action sqs:SendMessage, Resource queueARN, Condition
// ArnEquals aws:SourceArn. Existing statements are kept verbatim; a topic
// that the existing policy already lets send adds nothing: an Allow
// statement covers, as IAM evaluates them, the principal, action, resource
// and conditions of the call SNS makes for the topic (see queueLetsTopic;
// a statement narrower than that, naming another queue or with a condition
// the topic's call may not meet, does not count). A statement added has the
// Sid PolicySid(topic), numbered when a statement kept has that Sid: SQS
// refuses a policy whose statements share one. added lists the topic ARNs
// that got a statement; when it is empty, merged equals existing.
// A topic ARN holding a wildcard ("*" or "?") is refused: its statement
// would let every topic it matches send to the queue. A Deny statement
// that refuses a topic sending is refused too, with ErrTopicDenied: no
// Allow overrides it, and the merge does not remove a statement it did not
// write. A Deny under a condition the check cannot evaluate is left to IAM
// (see queueLetsTopic).
func MergeQueuePolicy(existing, queueARN string, topicARNs []string) (merged string, added []string, err error) {
	for _, topic := range topicARNs {
		if strings.ContainsAny(topic, "*?") {
			return "", nil, fmt.Errorf("policy of queue %q: topic ARN %q holds a wildcard; a queue policy names each topic", queueARN, topic)
		}
	}
	doc, err := parsePolicy(existing, "queue", queueARN)
	if err != nil {
		return "", nil, err
	}
	stmts := statements(doc["Statement"])
	for _, topic := range topicARNs {
		ok, deny := queueLetsTopic(stmts, queueARN, topic)
		if deny != "" {
			return "", nil, deniedError(queueARN, topic, deny)
		}
		if ok {
			continue
		}
		stmts = append(stmts, map[string]any{
			"Sid":       uniqueSid(stmts, PolicySid(topic)),
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": principalValue(SNSPrincipals(arnRegion(topic), arnRegion(queueARN)))},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topic}},
		})
		added = append(added, topic)
	}
	if len(added) == 0 {
		return existing, nil, nil
	}
	merged, err = encodePolicy(doc, stmts, "queue", queueARN)
	return merged, added, err
}

// principalValue is a Principal's list of names, or its one name alone.
func principalValue(names []string) any {
	if len(names) == 1 {
		return names[0]
	}
	return names
}

// parsePolicy decodes the policy of the queue, topic or key (kind) arn;
// "" and "null" are an empty one. An error names the resource.
func parsePolicy(policy, kind, arn string) (map[string]any, error) {
	doc := map[string]any{}
	if strings.TrimSpace(policy) != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return nil, fmt.Errorf("parse policy of %s %q: %w", kind, arn, err)
		}
		if doc == nil { // "null": no policy, like ""
			doc = map[string]any{}
		}
	}
	return doc, nil
}

// encodePolicy writes doc with stmts as its statements, adding the policy
// language version when doc has none; an error names the resource (kind
// and arn).
func encodePolicy(doc map[string]any, stmts []any, kind, arn string) (string, error) {
	if _, ok := doc["Version"]; !ok {
		doc["Version"] = "2012-10-17"
	}
	doc["Statement"] = stmts
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode policy of %s %q: %w", kind, arn, err)
	}
	return string(b), nil
}

// deniedError reports the Deny statement deny of the policy of the queue
// queueARN that refuses topic sending.
func deniedError(queueARN, topic, deny string) error {
	return fmt.Errorf("%w: policy of queue %q: Deny statement %s blocks topic %s from sending (%s), so SNS cannot "+
		"deliver its messages: remove or narrow the statement", ErrTopicDenied, queueARN, deny, topic, sendAction)
}

// statements normalises the Statement element, which may be one object or
// a list.
func statements(v any) []any {
	switch s := v.(type) {
	case []any:
		return s
	case map[string]any:
		return []any{s}
	}
	return nil
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// PolicySid is the Sid of the statement that lets topic (a name or an
// ARN) send to a queue: PolicySidPrefix and the topic's name, alphanumeric
// only. MergeQueuePolicy appends a number to it when the policy already
// has a statement of that Sid that does not let the topic send.
func PolicySid(topic string) string { return PolicySidPrefix + topicName(topic) }

// uniqueSid returns sid, or sid with the smallest number from 2 on that no
// statement of stmts carries: SQS refuses a policy whose statements share
// a Sid, and a statement of that Sid may be there already, changed by
// hand, or naming a topic of that name elsewhere.
func uniqueSid(stmts []any, sid string) string {
	taken := map[string]bool{}
	for _, s := range stmts {
		if m, ok := s.(map[string]any); ok {
			if v, ok := m["Sid"].(string); ok {
				taken[v] = true
			}
		}
	}
	out := sid
	for n := 2; taken[out]; n++ {
		out = sid + strconv.Itoa(n)
	}
	return out
}

// topicName returns the last ARN segment, made safe for a Sid
// (alphanumeric only).
func topicName(arn string) string {
	name := arn[strings.LastIndex(arn, ":")+1:]
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, name)
}
