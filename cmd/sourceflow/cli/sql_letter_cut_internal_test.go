package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// An outbox dead letter whose forwarder envelope is longer than what sql
// dead-letters reads without --payload cannot be unwrapped: the listing
// says so, and how to see it, instead of showing the envelope's row as a
// message without type or destination.
func TestSQLDeadLettersSaysAnOutboxEnvelopeWasCut(t *testing.T) {
	env, err := json.Marshal(forwarderEnvelope{DestinationTopic: "payments.fifo", UUID: "env-1",
		Payload: bytes.Repeat([]byte("x"), listedPayloadBytes), Metadata: map[string]string{"sf_type": "PaymentTaken"}})
	require.NoError(t, err)
	cut := cqrs.DeadLetter{Destination: "orders_outbox", Message: message.NewMessage("env-1", env[:listedPayloadBytes]), Reason: "lost"}

	letters := sqlLetters([]cqrs.DeadLetter{cut}, true, false)
	require.Len(t, letters, 1)
	assert.True(t, letters[0].EnvelopeCut, "the JSON says the envelope was cut")
	var out bytes.Buffer
	require.NoError(t, printSQLLetters(&out, letters, true, false))
	assert.Contains(t, out.String(), "(envelope over 64 KiB: see --payload)")

	whole := cqrs.DeadLetter{Destination: "orders_outbox", Message: message.NewMessage("env-1", env), Reason: "lost"}
	letters = sqlLetters([]cqrs.DeadLetter{whole}, true, true)
	assert.False(t, letters[0].EnvelopeCut)
	assert.Equal(t, "payments.fifo", letters[0].Destination)
	assert.Equal(t, "PaymentTaken", letters[0].Type)

	small := cqrs.DeadLetter{Destination: "orders_outbox", Message: message.NewMessage("row-1", []byte("not an envelope")), Reason: "lost"}
	letters = sqlLetters([]cqrs.DeadLetter{small}, true, false)
	assert.False(t, letters[0].EnvelopeCut, "a short row that is no envelope was read whole")
	out.Reset()
	require.NoError(t, printSQLLetters(&out, letters, true, false))
	assert.False(t, strings.Contains(out.String(), "envelope over"))
}
