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
		longest + "d": deadletter.NoDestination,
		"":            deadletter.NoDestination,
		"bad\xff":     deadletter.NoDestination,
	} {
		assert.Equal(t, want, deadletter.CountedAs(dest), "%q", dest)
	}
}
