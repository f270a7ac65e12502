package topology

import "strings"

// IsARN reports whether a destination name is an ARN, which names a
// Foreign topic or queue, rather than a queue or topic name.
func IsARN(name string) bool { return strings.HasPrefix(name, "arn:") }

// arnField returns the i-th colon-separated field of an ARN,
// "arn:<partition>:<service>:<region>:<account>:<resource>".
func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// arnRegion returns the region part of an ARN, "" for anything else.
func arnRegion(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		return parts[3]
	}
	return ""
}

// snsCallerOf returns the service principal SNS calls the queue or key
// resourceARN as, delivering from the topic topicARN (snsCaller of their
// regions).
func snsCallerOf(topicARN, resourceARN string) string {
	return snsCaller(arnRegion(topicARN), arnRegion(resourceARN))
}
