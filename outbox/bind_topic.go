package outbox

import (
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// sqlbusMaxTopicLength is sqlbus.MaxTopicLength: the longest destination
// sqlbus keeps as its own topic.
const sqlbusMaxTopicLength = 41

// checkTopicCollision refuses (ErrInvalidTopic) an outbox topic whose
// tables would be tables of a destination of b on sqlbus on the same
// database: then each side would read, and dead-letter, the other's rows.
// The names are compared ignoring case, as MySQL does on case-insensitive
// file systems.
func checkTopicCollision(topic string, b sourceflow.Binding) error {
	ours := watermillTables(topic, deadLetterTopic(topic))
	for _, dest := range destinations(b) {
		busTopic, ok := sqlbusTopic(dest)
		if !ok {
			continue
		}
		for _, table := range watermillTables(busTopic) {
			for _, own := range ours {
				if strings.EqualFold(table, own) {
					return fmt.Errorf("%w: Config.Topic %q: its table %s is the table sqlbus keeps destination %q in; "+
						"set outbox.Config.Topic to another name", ErrInvalidTopic, topic, own, dest)
				}
			}
		}
	}
	return nil
}

// watermillTables returns the names of the tables watermill-sql keeps
// topics in: each topic's messages and offsets tables.
func watermillTables(topics ...string) []string {
	var names []string
	for _, t := range topics {
		names = append(names, "watermill_"+t, "watermill_offsets_"+t)
	}
	return names
}

// destinations returns every destination b routes to or listens on.
func destinations(b sourceflow.Binding) []string {
	dests := make([]string, 0, len(b.Routes)+len(b.Listeners))
	for _, r := range b.Routes {
		dests = append(dests, r.Destination)
	}
	for _, l := range b.Listeners {
		dests = append(dests, l.Destination)
	}
	return dests
}

// sqlbusTopic returns the topic sqlbus.Topic gives destination when it is
// the destination itself: lowercase ASCII letters, digits, '.', '_' and
// '-', at most sqlbusMaxTopicLength bytes. sqlbus escapes or hashes every
// other name into a topic containing '$' (and its dead-letter topics end in
// "$dlq"), which no outbox Topic or table contains, so false means no
// collision is possible. (outbox may not import sqlbus; a test pins this to
// sqlbus.Topic.)
func sqlbusTopic(destination string) (string, bool) {
	if len(destination) > sqlbusMaxTopicLength {
		return "", false
	}
	for i := 0; i < len(destination); i++ {
		c := destination[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", false
		}
	}
	return destination, true
}
