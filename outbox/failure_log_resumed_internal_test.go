package outbox

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heldEnvelope returns the envelope of a message to destination carrying
// a payload of n bytes.
func heldEnvelope(t testing.TB, destination string, n int) []byte {
	b, err := json.Marshal(envelope{DestinationTopic: destination, UUID: "m-1", Payload: []byte(strings.Repeat("x", n)),
		Metadata: map[string]string{"sf_type": "orders.Placed"}})
	require.NoError(t, err)
	return b
}

// A held row relayed while another destination keeps failing ends its
// own destination's row of failures by name, decoding nothing and
// allocating nothing: the relay decoded its envelope once already.
func TestARelayedHeldRowEndsItsRowOfFailuresWithoutAllocating(t *testing.T) {
	l := newFailureLog(watermill.NopLogger{}, "outbox_t", time.Minute)
	l.failed(message.NewMessage("r-1", heldEnvelope(t, "a", 10)), errors.New("boom"))

	allocs := testing.AllocsPerRun(100, func() { l.resumed("b") })

	assert.Zero(t, allocs)
	l.resumed("a")
	assert.Empty(t, l.rows, "a's row of failures ended")
}

// BenchmarkFailureLogEnd compares ending a destination's row of failures
// from the outbox row's payload (the forwarder) and by name (the held
// rows' relay), while another destination fails.
func BenchmarkFailureLogEnd(b *testing.B) {
	l := newFailureLog(watermill.NopLogger{}, "outbox_t", time.Minute)
	l.failed(message.NewMessage("r-1", heldEnvelope(b, "a", 10)), errors.New("boom"))
	payload := heldEnvelope(b, "b", 2048)
	b.Run("payload", func(b *testing.B) {
		for b.Loop() {
			l.succeeded(payload)
		}
	})
	b.Run("name", func(b *testing.B) {
		for b.Loop() {
			l.resumed("b")
		}
	})
}
