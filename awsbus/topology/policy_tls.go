package topology

import (
	"slices"
	"strconv"
	"strings"
)

// SecureTransportSid is the Sid of the statement that refuses every request
// to a queue, and every publish to a topic, not made over TLS.
const SecureTransportSid = "SourceFlowDenyInsecureTransport"

// tlsDeny is the statement refusing requests without TLS on one kind of
// resource: the action it denies, and whether an Action element denies
// at least that.
type tlsDeny struct {
	kind   string // the resource's kind in errors: "queue", "topic"
	action string
	covers func(action any) bool
}

var (
	// queueTLS denies every SQS action on a queue.
	queueTLS = tlsDeny{kind: "queue", action: "sqs:*", covers: everyAction}
	// topicTLS denies sns:Publish on a topic, the call that carries the
	// messages: the statement AWS documents for topics. A statement that
	// denies more ("sns:*", "*") counts too.
	topicTLS = tlsDeny{kind: "topic", action: "sns:Publish", covers: func(v any) bool { return actionMatches(v, "sns:Publish") }}
)

// RequireSecureTransport returns the queue access policy existing with a
// statement that denies every principal every SQS action on the queue when
// the request is not over TLS (aws:SecureTransport false). Existing
// statements are kept verbatim; when one already denies that, added is
// false and merged equals existing. The statement's Sid is
// SecureTransportSid, numbered when a statement kept has that Sid. SNS
// delivers over TLS, so it is not affected.
func RequireSecureTransport(existing, queueARN string) (merged string, added bool, err error) {
	return requireSecureTransport(existing, queueARN, queueTLS)
}

// RequireTopicSecureTransport returns the topic access policy existing with
// a statement that denies every principal sns:Publish on the topic when the
// request is not over TLS (aws:SecureTransport false), as
// RequireSecureTransport does for a queue: existing statements are kept
// verbatim, added is false when one already denies that, and the Sid is
// SecureTransportSid, numbered when a statement kept has that Sid.
func RequireTopicSecureTransport(existing, topicARN string) (merged string, added bool, err error) {
	return requireSecureTransport(existing, topicARN, topicTLS)
}

func requireSecureTransport(existing, arn string, deny tlsDeny) (merged string, added bool, err error) {
	doc, err := parsePolicy(existing, deny.kind, arn)
	if err != nil {
		return "", false, err
	}
	stmts := statements(doc["Statement"])
	if deniesInsecureTransport(stmts, arn, deny) {
		return existing, false, nil
	}
	stmts = append(stmts, map[string]any{
		"Sid":       uniqueSid(stmts, SecureTransportSid),
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    deny.action,
		"Resource":  arn,
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	})
	merged, err = encodePolicy(doc, stmts, deny.kind, arn)
	return merged, err == nil, err
}

// RefusesInsecureTransport reports whether the policy of the queue with
// ARN queueARN has a statement that denies every principal every SQS action
// on the queue without TLS, under no other condition (one that also needs,
// say, a VPC endpoint would let plain HTTP through from elsewhere).
func RefusesInsecureTransport(policy, queueARN string) bool {
	return refusesInsecureTransport(policy, queueARN, queueTLS)
}

// TopicRefusesInsecureTransport reports whether the policy of the topic
// with ARN topicARN has a statement that denies every principal
// sns:Publish on the topic without TLS (or more actions), under no other
// condition.
func TopicRefusesInsecureTransport(policy, topicARN string) bool {
	return refusesInsecureTransport(policy, topicARN, topicTLS)
}

func refusesInsecureTransport(policy, arn string, deny tlsDeny) bool {
	doc, err := parsePolicy(policy, deny.kind, arn)
	return err == nil && deniesInsecureTransport(statements(doc["Statement"]), arn, deny)
}

func deniesInsecureTransport(stmts []any, arn string, deny tlsDeny) bool {
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok || m["Effect"] != "Deny" || !everyone(m["Principal"]) || !deny.covers(m["Action"]) || !covers(m["Resource"], arn) {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		if len(cond) == 1 && boolCondition(cond, "aws:SecureTransport", "false") {
			return true
		}
	}
	return false
}

// covers reports whether a Resource element names queueARN: the ARN, "*",
// or a pattern matching it.
func covers(resource any, queueARN string) bool {
	for _, r := range stringList(resource) {
		if wildcardMatch(r, queueARN) {
			return true
		}
	}
	return false
}

// everyone reports whether a Principal element names every principal:
// "*" or {"AWS": "*"}.
func everyone(p any) bool {
	if p == "*" {
		return true
	}
	m, ok := p.(map[string]any)
	return ok && len(m) == 1 && slices.Contains(stringList(m["AWS"]), "*")
}

func everyAction(v any) bool {
	for _, a := range stringList(v) {
		if a == "*" || strings.EqualFold(a, "sqs:*") {
			return true
		}
	}
	return false
}

// boolCondition reports whether cond holds Bool {key: want}; the value may
// be a string, a JSON boolean or a list of either.
func boolCondition(cond map[string]any, key, want string) bool {
	kv, ok := cond["Bool"].(map[string]any)
	if !ok || len(kv) != 1 {
		return false
	}
	for k, v := range kv {
		if !strings.EqualFold(k, key) {
			continue
		}
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b) == want
		}
		for _, s := range stringList(v) {
			if strings.EqualFold(s, want) {
				return true
			}
		}
	}
	return false
}
