package dynamostore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// A dead letter whose reason must be cut to fit keeps the cause of the
// failure, not the "publish to <destination>" start that its Destination
// says already: with a few bytes of room, what is left names the cause.
func TestFitDeadKeepsTheCauseOfACutReason(t *testing.T) {
	const cause = "the destination refuses messages over 256 KiB"
	for _, over := range []int{10, 40, 80} {
		dead := deadItem(outboxItem{PK: "svc#0", SK: "0000000000000000001#000#big#events", UUID: "big",
			Destination: "events", Metadata: map[string]string{}, Payload: []byte{}}, `publish to "events": `+cause, 1765000000000000000)
		dead.Payload = make([]byte, dynamo.MaxItemSize+over-itemSize(dead))
		require.Equal(t, dynamo.MaxItemSize+over, itemSize(dead))

		fit := fitDead(dead)
		assert.LessOrEqual(t, itemSize(fit), dynamo.MaxItemSize, "over %d", over)
		assert.NotEmpty(t, fit.Failure, "over %d", over)
		assert.True(t, strings.HasPrefix(cause, fit.Failure), "over %d: reason %q", over, fit.Failure)
		assert.Len(t, fit.Payload, len(dead.Payload), "the message is kept whole")
	}
}
