package sourceflow_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestValidCorrelationID(t *testing.T) {
	for id, want := range map[string]bool{
		"":                                     false,
		"7c9e6679-7425-40de-944b-e07fc1f90ae7": true,
		"order flow 42 ☕":                      true,
		"Bestellung\u00a042":                   true,
		"注文\u300042":                           true,
		"flow\u2028x":                          false,
		strings.Repeat("c", sourceflow.MaxCorrelationIDLen):     true,
		strings.Repeat("c", sourceflow.MaxCorrelationIDLen+1):   false,
		strings.Repeat("☕", sourceflow.MaxCorrelationIDLen/3+1): false,
		"flow\n2":      false,
		"flow\x1b[31m": false,
		"flow\u202e":   false,
		"flow\xff":     false,
	} {
		assert.Equal(t, want, sourceflow.ValidCorrelationID(id), "%q", id)
	}
}
