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
// sns.amazonaws.com, Action sqs:SendMessage, Condition ArnEquals
// aws:SourceArn. Existing statements are kept verbatim; a topic that an
// existing statement already allows (Principal "*" or the SNS service,
// Action sqs:SendMessage, sqs:* or *, ArnEquals or ArnLike on
// aws:SourceArn) adds nothing. A statement added has the Sid
// PolicySid(topic), numbered when a statement kept has that Sid: SQS
// refuses a policy whose statements share one. added lists the topic
// ARNs that got a statement; when it is empty, merged equals existing.
// A topic ARN holding a wildcard ("*" or "?") is refused: its statement
// would let every topic it matches send to the queue.
func MergeQueuePolicy(existing, queueARN string, topicARNs []string) (merged string, added []string, err error) {
	for _, topic := range topicARNs {
		if strings.ContainsAny(topic, "*?") {
			return "", nil, fmt.Errorf("policy of queue %q: topic ARN %q holds a wildcard; a queue policy names each topic", queueARN, topic)
		}
	}
	doc, err := parsePolicy(existing, queueARN)
	if err != nil {
		return "", nil, err
	}
	stmts := statements(doc["Statement"])
	for _, topic := range topicARNs {
		if policyAllows(stmts, topic) {
			continue
		}
		stmts = append(stmts, map[string]any{
			"Sid":       uniqueSid(stmts, PolicySid(topic)),
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topic}},
		})
		added = append(added, topic)
	}
	if len(added) == 0 {
		return existing, nil, nil
	}
	merged, err = encodePolicy(doc, stmts, queueARN)
	return merged, added, err
}

// parsePolicy decodes a queue policy; "" and "null" are an empty one.
func parsePolicy(policy, queueARN string) (map[string]any, error) {
	doc := map[string]any{}
	if strings.TrimSpace(policy) != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return nil, fmt.Errorf("parse policy of queue %q: %w", queueARN, err)
		}
		if doc == nil { // "null": no policy, like ""
			doc = map[string]any{}
		}
	}
	return doc, nil
}

// encodePolicy writes doc with stmts as its statements, adding the policy
// language version when doc has none.
func encodePolicy(doc map[string]any, stmts []any, queueARN string) (string, error) {
	if _, ok := doc["Version"]; !ok {
		doc["Version"] = "2012-10-17"
	}
	doc["Statement"] = stmts
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode policy of queue %q: %w", queueARN, err)
	}
	return string(b), nil
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

func policyAllows(stmts []any, topicARN string) bool {
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok || m["Effect"] != "Allow" || !actionAllowsSend(m["Action"]) || !principalIsSNS(m["Principal"]) {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		if matchesCondition(cond, topicARN) {
			return true
		}
	}
	return false
}

// principalIsSNS reports whether a statement's Principal covers the SNS
// service: "*", {"AWS": "*"} or {"Service": "sns.amazonaws.com"}. A
// statement for some role lets that role send, not the topic.
func principalIsSNS(v any) bool {
	if s, ok := v.(string); ok {
		return s == "*"
	}
	m, _ := v.(map[string]any)
	for _, a := range stringList(m["AWS"]) {
		if a == "*" {
			return true
		}
	}
	for _, s := range stringList(m["Service"]) {
		if strings.EqualFold(s, "sns.amazonaws.com") {
			return true
		}
	}
	return false
}

func actionAllowsSend(v any) bool {
	for _, a := range stringList(v) {
		switch strings.ToLower(a) {
		case "sqs:sendmessage", "sqs:*", "*":
			return true
		}
	}
	return false
}

func matchesCondition(cond map[string]any, topicARN string) bool {
	for op, body := range cond {
		kv, ok := body.(map[string]any)
		if !ok {
			continue
		}
		for key, val := range kv {
			if !strings.EqualFold(key, "aws:SourceArn") {
				continue
			}
			for _, want := range stringList(val) {
				if arnConditionMatches(op, want, topicARN) {
					return true
				}
			}
		}
	}
	return false
}

func arnConditionMatches(op, pattern, arn string) bool {
	switch op {
	case "StringEquals":
		return pattern == arn
	case "StringLike":
		return wildcardMatch(pattern, arn)
	case "ArnEquals", "ArnLike":
		return arnMatch(pattern, arn)
	}
	return false
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
