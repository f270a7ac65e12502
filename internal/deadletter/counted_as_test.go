package deadletter_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

func TestCountedAsFallsBackForAnUnusableDestination(t *testing.T) {
	longest := strings.Repeat("d", deadletter.MaxDestination)
	for dest, want := range map[string]string{
		"orders":      "orders",
		longest:       longest,
		longest + "d": "outbox",
		"":            "outbox",
		"bad\xff":     "outbox",
	} {
		assert.Equal(t, want, deadletter.CountedAs(dest, "outbox"), "%q", dest)
	}
}
