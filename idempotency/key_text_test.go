package idempotency_test

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// A key's text, which log lines and errors carry, shows the sender's
// message id bounded and escaped; an ordinary key reads as before.
func TestKeyTextBoundsTheSendersID(t *testing.T) {
	assert.Equal(t, "projection/m-1", idempotency.Key{Consumer: "projection", MessageID: "m-1"}.String())
	assert.Equal(t, `projection/m-1\nlevel=INFO msg=forged\x1b[2J`,
		idempotency.Key{Consumer: "projection", MessageID: "m-1\nlevel=INFO msg=forged\x1b[2J"}.String())
	long := idempotency.Key{Consumer: "projection", MessageID: strings.Repeat("u", 100_000)}.String()
	assert.Equal(t, "projection/"+strings.Repeat("u", 256)+"…(100000 bytes)", long)
}

// The line saying a handling runs again in a new transaction shows the
// message's UUID bounded and escaped.
func TestTxRetryLineBoundsTheSendersUUID(t *testing.T) {
	logger := watermill.NewCaptureLogger()
	store := &failingFirstTx{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Transactional: true, Logger: logger,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: 1},
	})
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	msg := sfMessage("a", "p")
	msg.UUID = "m-1\nlevel=INFO msg=forged" + strings.Repeat("u", 100_000)

	_, err := h(msg)

	require.NoError(t, err)
	lines := logger.Captured()[watermill.InfoLogLevel]
	require.Len(t, lines, 1, "one retry")
	assert.Equal(t, sourceflow.IDText(msg.UUID), lines[0].Fields["message_id"])
	assert.Less(t, len(lines[0].Fields["message_id"].(string)), 300)
}
