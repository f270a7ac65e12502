package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// topicPrefix starts the Topic TopicFor derives from a service name.
const topicPrefix = "outbox_"

// TopicFor returns the Topic of the outbox of service when Config.Topic is
// empty: "outbox_" and the service name in lower case ("outbox_billing",
// table watermill_outbox_billing). A name that is not letters, digits and
// underscores, or too long for the outbox's table names, has each other
// character replaced by "_", is cut, and ends in "_" and 8 hexadecimal
// digits of its hash, so two names never share an outbox
// ("outbox_billing_api_1a2b3c4d" for "billing-api").
func TopicFor(service string) string {
	name := strings.ToLower(service)
	clean := strings.Map(func(r rune) rune {
		if r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, name)
	topic := topicPrefix + clean
	if clean == service && validTopic(topic) {
		return topic
	}
	sum := sha256.Sum256([]byte(service))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return topic[:min(len(topic), maxTopicLength-len(suffix))] + suffix
}
