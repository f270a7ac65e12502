package sqlbus

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxTopicLength is the longest topic, in bytes, Topic returns. With the
// dead-letter suffix and watermill-sql's longest table prefix
// ("watermill_offsets_") a table name then stays within the 63 bytes
// PostgreSQL keeps of an identifier (it cuts longer ones silently, which
// would make two topics share a table) and MySQL's 64.
const MaxTopicLength = 41

// deadLetterSuffix ends every dead-letter topic. Topic never returns a name
// containing it, so a dead-letter topic is never a destination's topic.
const deadLetterSuffix = "$dlq"

// hashMark separates the kept prefix of a long name from its digest. Topic
// never writes "$$" otherwise.
const hashMark = "$$"

// hashLen is the number of hex digits of the SHA-256 digest of a long name
// (80 bits).
const hashLen = 20

// Topic returns the watermill-sql topic of a destination; its messages live
// in the table "watermill_<topic>". Two destinations share a topic only if
// both are longer than the limit below and agree in their first bytes and in
// 80 bits of SHA-256:
//
//   - A name of lowercase ASCII letters, digits, '.', '_' and '-' of at most
//     MaxTopicLength bytes is its own topic ("orders.fifo"), unless it starts
//     with "offsets_": watermill_offsets_<topic> is the offsets table of
//     <topic>, so its first byte is escaped ("offsets_x" is "$6ffsets_x").
//   - Otherwise every other byte (uppercase letters included, so that
//     MySQL on a case-insensitive file system cannot fold two names into one
//     table) becomes '$' and two lowercase hex digits: "Orders" is
//     "$4frders". '$' is escaped too, so the result decodes uniquely.
//   - A result longer than MaxTopicLength keeps its first 19 bytes, then
//     "$$" and the first 20 hex digits of the SHA-256 of the destination.
//     "$$" appears in no shorter result.
func Topic(destination string) string {
	var b strings.Builder
	start := 0
	if strings.HasPrefix(destination, offsetsPrefix) {
		b.WriteString("$6f") // its messages table would be the offsets table of the rest
		start = 1
	}
	for i := start; i < len(destination); i++ {
		c := destination[i]
		if plain(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('$')
		b.WriteString(hex.EncodeToString([]byte{c}))
	}
	t := b.String()
	if len(t) <= MaxTopicLength {
		return t
	}
	sum := sha256.Sum256([]byte(destination))
	keep := MaxTopicLength - len(hashMark) - hashLen
	return t[:keep] + hashMark + hex.EncodeToString(sum[:])[:hashLen]
}

// offsetsPrefix starts the name of the offsets table of a topic after
// "watermill_": a topic starting with it would name another topic's offsets
// table as its messages table.
const offsetsPrefix = "offsets_"

// DeadLetterTopic returns the topic that keeps a destination's dead letters:
// its Topic followed by "$dlq".
func DeadLetterTopic(destination string) string {
	return Topic(destination) + deadLetterSuffix
}

// plain reports whether c stands for itself in a topic.
func plain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}
