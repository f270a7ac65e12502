package sqlbus

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// watermillTopic is the set of characters watermill-sql accepts in a topic.
var watermillTopicRule = regexp.MustCompile(`^[A-Za-z0-9\-$:._]*$`)

func TestTopicKeepsPlainNames(t *testing.T) {
	for _, d := range []string{"orders", "orders.fifo", "order-events", "run_1-orders.fifo", strings.Repeat("a", MaxTopicLength)} {
		assert.Equal(t, d, Topic(d))
	}
}

func TestTopicEscapesOtherBytes(t *testing.T) {
	assert.Equal(t, "$4frders", Topic("Orders"))
	assert.Equal(t, "a$2fb$20c$24d", Topic("a/b c$d"))
	assert.Equal(t, "caf$c3$a9", Topic("café"))
}

func TestTopicHashesLongNames(t *testing.T) {
	long := strings.Repeat("x", MaxTopicLength+1)
	got := Topic(long)
	assert.Len(t, got, MaxTopicLength)
	assert.True(t, strings.HasPrefix(got, strings.Repeat("x", 19)+"$$"), got)
	assert.NotEqual(t, got, Topic(long+"y"), "names differing after the kept prefix get different digests")
}

func TestTopicIsValidForWatermillSQLAndFitsTheTableNames(t *testing.T) {
	for _, d := range names() {
		for _, topic := range []string{Topic(d), DeadLetterTopic(d)} {
			assert.Regexp(t, watermillTopicRule, topic, "destination %q", d)
			assert.LessOrEqual(t, len("watermill_offsets_"+topic), 63, "destination %q", d)
		}
	}
}

func TestTopicNeverMapsTwoDestinationsOrADeadLetterTopicToOneTable(t *testing.T) {
	seen := map[string]string{}
	for _, d := range names() {
		for _, topic := range []string{Topic(d), DeadLetterTopic(d)} {
			for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
				key := strings.ToLower(table) // MySQL may fold table names
				if prev, ok := seen[key]; ok {
					t.Errorf("%q and %q share the table %q", prev, d, table)
				}
				seen[key] = d + " (" + table + ")"
			}
		}
	}
}

// names are destinations that stress the mapping: plain, case variants,
// escapes that look like other names, dead-letter look-alikes, long names.
func names() []string {
	long := strings.Repeat("n", MaxTopicLength)
	out := []string{
		"orders", "Orders", "ORDERS", "orders.fifo", "Orders.fifo", "orders-dlq", "orders$dlq", "orders$",
		"$4frders", "a/b", "a$2fb", "a b", "a$20b", "x$$y", "café", "", "-", ".", "$",
		"offsets_orders", "offsets_orders$dlq", "offsets_offsets_orders", "$6ffsets_orders", "offsets_", "offsets",
		long, long + "a", long + "b", long + "A", long[:MaxTopicLength-1] + "$", long + "$dlq",
	}
	for i := range 300 {
		out = append(out, strings.Repeat("q", i%60)+string(rune('a'+i%26))+strings.Repeat("Z", i/60))
	}
	return out
}

func TestWatermillTopicMatchesWatermillSQLsRule(t *testing.T) {
	for _, topic := range []string{"orders.fifo", "A-Z_a:z$09", ""} {
		assert.True(t, watermillTopic(topic), topic)
	}
	for _, topic := range []string{"a b", "a/b", "a`b", `a"b`, "café", "a;b"} {
		assert.False(t, watermillTopic(topic), topic)
	}
}
