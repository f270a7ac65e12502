package cqrs

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
)

// During a flapping outage (a pool under load: some handlings find the
// store unavailable, the messages that waited before succeed), the store
// outage log must still log its Error line at most once a minute, as
// StoreOutageWait's documentation, the README and the CHANGELOG say.
func TestStoreOutageLogStaysBoundedWhileOtherMessagesSucceed(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	l := newStoreOutageLog(logs)
	for range 100 { // within a few milliseconds
		l.failed(watermill.LogFields{})
		l.cleared() // another message that had waited was acked
	}
	lines := 0
	for _, c := range logs.Captured()[watermill.ErrorLogLevel] {
		if strings.HasPrefix(c.Msg, "State store unavailable") {
			lines++
		}
	}
	assert.LessOrEqual(t, lines, 1, "Error lines within one minute")
	cleared := 0
	for _, c := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.HasPrefix(c.Msg, "cleared: State store unavailable") {
			cleared++
		}
	}
	assert.LessOrEqual(t, cleared, 1, "cleared lines within one minute")
}
