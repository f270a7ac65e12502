package iac

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Multi-part ids go without a hash exactly when their words read back as
// the parts one way only.
func TestPlain_HashesPartsThatReadMoreThanOneWay(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		want  bool
	}{
		{[]string{"order-events", "orders-order-events"}, true},
		{[]string{"orders"}, true},
		{[]string{"to"}, true},
		{[]string{"to-orders", "billing"}, true},
		{[]string{"orders", "billing-to"}, true},
		{[]string{"events-to-orders", "billing"}, false},
		{[]string{"events", "orders-to-billing"}, false},
		{[]string{"orders-to", "billing"}, false},
		{[]string{"orders", "to-billing"}, false},
		{[]string{"to", "to"}, true},
		{[]string{"a", "b", "c-to-d"}, false},
		{[]string{"a", "b", "c"}, true},
		{[]string{"orders_x", "billing"}, false},
	} {
		assert.Equal(t, tc.want, plain(tc.parts), "%q", tc.parts)
	}
}
