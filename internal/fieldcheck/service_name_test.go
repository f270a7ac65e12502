package fieldcheck_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// ServiceName refuses a name that starts or ends with white space, and
// what PrintableLine refuses; a name with white space inside, of any
// script, is accepted.
func TestServiceNameRefusesWhiteSpaceAtItsEdges(t *testing.T) {
	for _, v := range []string{"orders ", " orders", "orders\u00a0", "\u3000orders", " "} {
		assert.ErrorContains(t, fieldcheck.ServiceName(v), "starts or ends with white space", "%q", v)
	}
	assert.ErrorContains(t, fieldcheck.ServiceName("orders\n"), "control character '\\n'")
	for _, v := range []string{"orders", "order service", "注文 service", ""} {
		assert.NoError(t, fieldcheck.ServiceName(v), "%q", v)
	}
}
