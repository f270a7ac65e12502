package topology

import "strings"

// Attributes of encryption at rest, as SQS and SNS name them.
const (
	// AttrSQSManagedSSE turns on SQS-managed server-side encryption: SQS
	// encrypts stored messages under a key it owns, at no KMS cost.
	AttrSQSManagedSSE = "SqsManagedSseEnabled"
	// AttrKMSMasterKey names the KMS key a queue or topic encrypts stored
	// messages under (SSE-KMS).
	AttrKMSMasterKey = "KmsMasterKeyId"
)

// queueAtRest sets the encryption at rest of a queue: SSE-KMS under keyID
// when the service encrypts message bodies (one key, one set of grants),
// SQS-managed SSE otherwise.
func queueAtRest(attrs map[string]string, keyID string) {
	if keyID == "" {
		attrs[AttrSQSManagedSSE] = "true"
		return
	}
	attrs[AttrKMSMasterKey] = keyID
}

// switchAtRest completes a queue's diff when its encryption at rest changes
// kind: SQS refuses both kinds at once, so a diff that sets a key turns
// SQS-managed SSE off, and one that turns SQS-managed SSE on clears the key,
// each in the same call.
func switchAtRest(diff, desired, actual map[string]string) {
	if diff[AttrKMSMasterKey] != "" && actual[AttrSQSManagedSSE] == "true" {
		diff[AttrSQSManagedSSE] = "false"
	}
	if desired[AttrSQSManagedSSE] == "true" && actual[AttrKMSMasterKey] != "" {
		diff[AttrKMSMasterKey], diff[AttrSQSManagedSSE] = "", "true"
	}
}

// topicAtRest sets SSE-KMS under keyID on a topic. SNS has no managed
// encryption of its own: without a key a topic's messages are stored
// unencrypted, as AWS's default does.
func topicAtRest(attrs map[string]string, keyID string) {
	if keyID != "" {
		attrs[AttrKMSMasterKey] = keyID
	}
}

// SameKey reports whether the KMS key references a and b name the same key
// as written: equal, or a key id and a key ARN ending in it (key ids are
// unique). An alias name and an alias ARN are not taken for one another,
// since an alias name resolves in the resource's own account and Region,
// and an alias and the key it points at are told apart only by KMS itself.
func SameKey(a, b string) bool {
	if a == b {
		return true
	}
	id, arn := a, b
	if strings.HasPrefix(a, "arn:") {
		id, arn = b, a
	}
	return id != "" && !strings.HasPrefix(id, "arn:") && !strings.HasPrefix(id, "alias/") &&
		strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, ":key/"+id)
}
