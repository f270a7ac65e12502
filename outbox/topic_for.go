package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// topicPrefix starts the Topic TopicFor derives from a service name.
const topicPrefix = "outbox_"

// hashedEnd matches the end TopicFor gives the Topics it hashes: a plain
// name ending so is hashed too, so that it cannot take the outbox of the
// name that was hashed to it.
var hashedEnd = regexp.MustCompile(`_[0-9a-f]{8}$`)

// TopicFor returns the Topic of the outbox of service when Config.Topic is
// empty: "outbox_" and the service name ("outbox_billing", table
// watermill_outbox_billing) when that is lower-case letters, digits and
// underscores, at most 25 bytes (the outbox's table names must fit the 63
// bytes PostgreSQL allows), not ending in "_" and 8 hexadecimal digits,
// "_dead_letters" or the like. Another name is lower-cased, has each other
// character replaced by "_", is cut, and ends in "_" and 8 hexadecimal
// digits of its SHA-256 hash ("outbox_billing_api_48be48f7" for
// "billing-api"), so two names share an outbox only if they share those 32
// bits of hash. It is deterministic: every instance of a service, in every
// release, gets the same Topic.
func TopicFor(service string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, strings.ToLower(service))
	topic := topicPrefix + clean
	if clean == service && validTopic(topic) && !hashedEnd.MatchString(topic) {
		return topic
	}
	sum := sha256.Sum256([]byte(service))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return topic[:min(len(topic), maxTopicLength-len(suffix))] + suffix
}
