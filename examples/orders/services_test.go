package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// Spans name the system each message goes through: on AWS, events are
// published to SNS, commands sent and everything received over SQS.
func TestTracingSystemsPerTransport(t *testing.T) {
	tests := map[string]struct{ system, events string }{
		"aws":       {tracing.SystemAWSSQS, tracing.SystemAWSSNS},
		"gochannel": {tracing.SystemGoChannel, ""},
		"postgres":  {"postgresql", ""},
	}
	for transport, want := range tests {
		cfg := tracingSystems(transport)
		assert.Equal(t, want.system, cfg.MessagingSystem, transport)
		assert.Equal(t, want.events, cfg.EventMessagingSystem, transport, "empty: the same as MessagingSystem")
	}
}
