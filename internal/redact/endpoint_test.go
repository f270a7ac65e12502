package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// An endpoint URL may carry a password (a proxy's basic auth), with or
// without a scheme: it is shown without it, or not at all when where the
// password ends is unknown.
func TestEndpoint(t *testing.T) {
	for endpoint, shown := range map[string]string{
		"":                                 "",
		"http://ops:s3cret@localhost:4566": "http://ops:xxxxx@localhost:4566",
		"http://ops:s3cret@local host:1":   redact.NotShown,
		"http://localhost:4566":            "http://localhost:4566",
		"ops:s3cret@localhost:4566":        "ops:xxxxx@localhost:4566",
		"ops:s3cret@local host:4566":       redact.NotShown,
		"ops@localhost:4566":               "ops@localhost:4566",
		"localhost:4566":                   "localhost:4566",
		"http:ops:s3cret@localhost:4566":   "http:xxxxx@localhost:4566",
		"ops:12/s3cret@localhost:4566":     redact.NotShown,
		"http://admin:s3/cr3t@proxy:4566":  redact.NotShown,
		"ops:s3://cret@localhost:4566":     redact.NotShown,
		"ops:s3cret@localhost://4566":      redact.NotShown,
	} {
		assert.Equal(t, shown, redact.Endpoint(endpoint), "%q", endpoint)
	}
}
