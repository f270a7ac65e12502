package topology

import (
	"slices"
	"strconv"
	"strings"
)

// verdict is what a statement, or a condition, says about one request:
// it applies, it does not, or it tests something the check cannot know.
type verdict int

const (
	verdictNo verdict = iota
	verdictYes
	verdictUnknown
)

func verdictOf(b bool) verdict {
	if b {
		return verdictYes
	}
	return verdictNo
}

// snsRequest is a call SNS makes for topicARN, as far as policy conditions
// can see it. overTLS says the call is known to be made over TLS, as SNS
// delivers to a queue: aws:SecureTransport is then "true", and unknown
// otherwise. principal is the service principal SNS calls as (snsCaller),
// sns.amazonaws.com when empty.
type snsRequest struct {
	topicARN, account, principal string
	overTLS                      bool
}

// caller returns the service principal r is made as.
func (r snsRequest) caller() string {
	if r.principal == "" {
		return snsPrincipal
	}
	return r.principal
}

// absentForServices are condition keys a request made by an AWS service
// principal does not carry: those of a calling principal, and those of a
// VPC endpoint, which a service calling with its own principal does not go
// through.
var absentForServices = []string{
	"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
	"aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
}

// value returns the value of condition key for r, known reporting whether
// the check knows it and present whether the request carries it.
func (r snsRequest) value(key string) (v string, known, present bool) {
	switch k := strings.ToLower(key); {
	case k == "aws:sourcearn":
		return r.topicARN, true, true
	case k == "aws:sourceaccount":
		return r.account, true, true
	case k == "aws:principalisawsservice":
		return "true", true, true
	case k == "aws:principalservicename":
		return r.caller(), true, true
	case k == "aws:securetransport" && r.overTLS:
		return "true", true, true
	case slices.Contains(absentForServices, k) || strings.HasPrefix(k, "aws:principaltag/"):
		return "", true, false
	}
	return "", false, false
}

// conditionsHold evaluates a statement's Condition block for r: every
// operator and key must hold.
func conditionsHold(cond map[string]any, r snsRequest) verdict {
	out := verdictYes
	for op, body := range cond {
		kv, ok := body.(map[string]any)
		if !ok {
			return verdictUnknown
		}
		for key, val := range kv {
			v, known, present := r.value(key)
			if !known {
				out = verdictUnknown
				continue
			}
			switch operatorHolds(op, conditionValues(val), v, present) {
			case verdictNo:
				return verdictNo
			case verdictUnknown:
				out = verdictUnknown
			}
		}
	}
	return out
}

// conditionValues returns the values of a condition: strings, and JSON
// booleans and numbers as IAM reads them, as text.
func conditionValues(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	return out
}

// operatorHolds evaluates one condition operator on a single-valued key.
func operatorHolds(op string, patterns []string, v string, present bool) verdict {
	base, ifExists := strings.CutSuffix(op, "IfExists")
	if base == "Null" { // "true": the key is missing; "false": it is present
		return verdictOf(slices.ContainsFunc(patterns, func(p string) bool { return strings.EqualFold(p, strconv.FormatBool(!present)) }))
	}
	if !present {
		// A missing key satisfies ForAllValues (an empty set) and fails
		// ForAnyValue; otherwise it fails a positive operator and satisfies
		// a negated one. IfExists makes any operator hold.
		switch {
		case ifExists || strings.HasPrefix(base, "ForAllValues:"):
			return verdictYes
		case strings.HasPrefix(base, "ForAnyValue:"):
			return verdictNo
		}
		return verdictOf(strings.Contains(base, "Not"))
	}
	for _, set := range []string{"ForAnyValue:", "ForAllValues:"} {
		base = strings.TrimPrefix(base, set) // a single-valued key is its own set
	}
	var match func(p string) bool
	switch strings.Replace(base, "Not", "", 1) {
	case "StringEquals":
		match = func(p string) bool { return p == v }
	case "StringEqualsIgnoreCase":
		match = func(p string) bool { return strings.EqualFold(p, v) }
	case "StringLike":
		match = func(p string) bool { return wildcardMatch(p, v) }
	case "ArnEquals", "ArnLike":
		match = func(p string) bool { return arnMatch(p, v) }
	case "Bool":
		match = func(p string) bool { return strings.EqualFold(p, v) }
	default:
		return verdictUnknown
	}
	matched := slices.ContainsFunc(patterns, match)
	if strings.Contains(base, "Not") {
		matched = !matched
	}
	return verdictOf(matched)
}

// wildcardMatch matches s against an IAM pattern, where "*" stands for any
// run of characters and "?" for one; nothing else is special.
func wildcardMatch(pattern, str string) bool {
	pat, s := []rune(pattern), []rune(str)
	return wildcardRunes(pat, s)
}

func wildcardRunes(pattern, s []rune) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// arnMatch matches an ARN against an ARN pattern the way IAM's ArnLike
// condition does: each of the six colon-separated parts on its own. A
// pattern of fewer parts ("*", "arn:aws:sns:*") is matched as a whole.
func arnMatch(pattern, arn string) bool {
	ps, as := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(ps) != len(as) {
		return len(ps) < len(as) && wildcardMatch(pattern, arn)
	}
	for i := range ps {
		if !wildcardMatch(ps[i], as[i]) {
			return false
		}
	}
	return true
}

// principalIsSNS reports whether a statement's Principal covers the SNS
// service calling as service: "*", {"AWS": "*"} or {"Service": service}
// (sns.amazonaws.com, or sns.<opt-in-region>.amazonaws.com across regions,
// which the global one does not cover). A statement for some role lets
// that role send, not the topic.
func principalIsSNS(v any, service string) bool {
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
		if strings.EqualFold(s, service) {
			return true
		}
	}
	return false
}

// actionMatches reports whether an Action or NotAction element names
// action; action names are case-insensitive.
func actionMatches(v any, action string) bool {
	return slices.ContainsFunc(stringList(v), func(p string) bool {
		return wildcardMatch(strings.ToLower(p), strings.ToLower(action))
	})
}

// statementCovers evaluates whether statement m covers SNS calling action on
// the resource resourceARN (a KMS key, a queue) for r: principal, action,
// resource and conditions. An element it cannot evaluate (NotResource,
// unknown conditions) gives verdictUnknown.
func statementCovers(m map[string]any, action, resourceARN string, r snsRequest) verdict {
	switch {
	case m["NotPrincipal"] != nil:
		if principalIsSNS(m["NotPrincipal"], r.caller()) {
			return verdictNo
		}
	case !principalIsSNS(m["Principal"], r.caller()):
		return verdictNo
	}
	if m["NotAction"] != nil {
		if actionMatches(m["NotAction"], action) {
			return verdictNo
		}
	} else if !actionMatches(m["Action"], action) {
		return verdictNo
	}
	if m["NotResource"] != nil {
		return verdictUnknown
	}
	if !slices.ContainsFunc(stringList(m["Resource"]), func(p string) bool { return wildcardMatch(p, resourceARN) }) {
		return verdictNo
	}
	cond, _ := m["Condition"].(map[string]any)
	return conditionsHold(cond, r)
}
