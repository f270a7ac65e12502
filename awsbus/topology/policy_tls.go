package topology

import (
	"slices"
	"strconv"
	"strings"
)

// SecureTransportSid is the Sid of the statement that refuses every request
// to a queue not made over TLS.
const SecureTransportSid = "SourceFlowDenyInsecureTransport"

// RequireSecureTransport returns the queue access policy existing with a
// statement that denies every principal every SQS action on the queue when
// the request is not over TLS (aws:SecureTransport false). Existing
// statements are kept verbatim; when one already denies that, added is
// false and merged equals existing. The statement's Sid is
// SecureTransportSid, numbered when a statement kept has that Sid. SNS
// delivers over TLS, so it is not affected.
func RequireSecureTransport(existing, queueARN string) (merged string, added bool, err error) {
	doc, err := parsePolicy(existing, queueARN)
	if err != nil {
		return "", false, err
	}
	stmts := statements(doc["Statement"])
	if deniesInsecureTransport(stmts, queueARN) {
		return existing, false, nil
	}
	stmts = append(stmts, map[string]any{
		"Sid":       uniqueSid(stmts, SecureTransportSid),
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "sqs:*",
		"Resource":  queueARN,
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	})
	merged, err = encodePolicy(doc, stmts, queueARN)
	return merged, err == nil, err
}

// RefusesInsecureTransport reports whether the policy of the queue with
// ARN queueARN has a statement that denies every principal every SQS action
// on the queue without TLS, under no other condition (one that also needs,
// say, a VPC endpoint would let plain HTTP through from elsewhere).
func RefusesInsecureTransport(policy, queueARN string) bool {
	doc, err := parsePolicy(policy, queueARN)
	return err == nil && deniesInsecureTransport(statements(doc["Statement"]), queueARN)
}

func deniesInsecureTransport(stmts []any, queueARN string) bool {
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok || m["Effect"] != "Deny" || !everyone(m["Principal"]) || !everyAction(m["Action"]) || !covers(m["Resource"], queueARN) {
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
