package topology

import "maps"

// sendAction is the call SNS makes to deliver a message to a queue.
const sendAction = "sqs:SendMessage"

// queueLetsTopic reports whether the statements stmts of the policy of the
// queue queueARN let the topic topicARN send to it, as IAM evaluates the
// call SNS makes: principal sns.amazonaws.com (snsCaller: the regional
// principal of an opt-in region across regions), action sqs:SendMessage on
// the queue, aws:SourceArn the topic, aws:SourceAccount its account, over
// TLS. ok means an Allow statement covers the call for certain and no
// Deny statement applies to it; deny names the first Deny statement that
// applies ("#n" when it has no Sid), and ok is then false.
//
// An Allow statement covers the call when its Principal is "*",
// {"AWS": "*"} or names that principal, its Action matches
// sqs:SendMessage (IAM wildcards "*" and "?", any case), its Resource
// matches the queue ARN ("*", the ARN, or a pattern) and every one of its
// conditions holds for the call (see snsRequest: aws:SourceArn,
// aws:SourceAccount, aws:SecureTransport and the keys of a service
// principal are known; any other key, or an operator not evaluated, makes
// the statement not count). A statement without Resource or NotResource
// names the queue: a queue policy governs only its own queue. An Allow
// statement with NotPrincipal, NotAction or NotResource never counts, nor
// does one with a Condition that is not an object. A Deny statement
// applies when it covers the call for certain, as an Allow counts; one
// under a condition the check cannot evaluate (aws:SourceOrgID, which the
// guardrails of an organization test, among them) is left to IAM: taking
// it as applying would refuse a policy that lets the topic send.
func queueLetsTopic(stmts []any, queueARN, topicARN string) (ok bool, deny string) {
	r := snsRequest{topicARN: topicARN, account: arnField(topicARN, 4), overTLS: true,
		principal: snsCallerOf(topicARN, queueARN)}
	for i, s := range stmts {
		m, _ := s.(map[string]any)
		switch m["Effect"] {
		case "Allow":
			ok = ok || (!hasNegatedElement(m) && sendStatement(m, queueARN, r) == verdictYes)
		case "Deny":
			if sendStatement(m, queueARN, r) == verdictYes {
				return false, statementName(m, i)
			}
		}
	}
	return ok, ""
}

// sendStatement evaluates whether statement m of the policy of the queue
// queueARN covers SNS sending to it for r. A statement without Resource
// or NotResource names the queue; a Condition that is not an object gives
// verdictUnknown.
func sendStatement(m map[string]any, queueARN string, r snsRequest) verdict {
	if m == nil {
		return verdictNo
	}
	if c, present := m["Condition"]; present && c != nil {
		if _, ok := c.(map[string]any); !ok {
			return verdictUnknown
		}
	}
	if m["Resource"] == nil && m["NotResource"] == nil {
		m = maps.Clone(m)
		m["Resource"] = queueARN
	}
	return statementCovers(m, sendAction, queueARN, r)
}

// hasNegatedElement reports whether statement m has a NotPrincipal,
// NotAction or NotResource element, which an Allow the check counts must
// not have: what such a statement allows is everything but a list.
func hasNegatedElement(m map[string]any) bool {
	for _, k := range []string{"NotPrincipal", "NotAction", "NotResource"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}
