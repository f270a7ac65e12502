package outbox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlbusTopic must agree with sqlbus.Topic, which outbox may not import:
// it returns sqlbus's topic when that is the destination itself, and false
// only when sqlbus's topic holds a '$', which no outbox table name holds.
func TestSQLBusTopicAgreesWithSQLBus(t *testing.T) {
	long := strings.Repeat("a", sqlbus.MaxTopicLength)
	for _, dest := range []string{
		"", "orders", "orders.fifo", "orders-v2", "orders_dead_letters", "Orders", "ORDERS",
		"orders$dlq", "orders/eu", "orders eu", "ördérs", long, long + "a", long[1:] + ".",
	} {
		got, ok := sqlbusTopic(dest)
		want := sqlbus.Topic(dest)
		if ok {
			assert.Equal(t, want, got, "destination %q", dest)
		} else {
			assert.Contains(t, want, "$", "destination %q: sqlbus topic %q", dest, want)
		}
		if !strings.Contains(want, "$") {
			assert.True(t, ok, "destination %q is its own sqlbus topic", dest)
		}
	}
	assert.Equal(t, sqlbus.MaxTopicLength, sqlbusMaxTopicLength)
}
