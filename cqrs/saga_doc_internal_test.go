package cqrs

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A saga document keeps its stored form: the applied commands' events are
// read back as they were raised, and a document decoded and saved again
// with one more command keeps the earlier entries byte for byte.
func TestSagaDocumentKeepsItsStoredForm(t *testing.T) {
	const stored = `{"state":"e30=","recent":[{"id":"m-1","events":[{"type":"OrderCreated","payload":"eyJhIjoxfQ=="}]},{"id":"m-2"}]}`
	g := &Saga[struct{}]{name: "order"}
	var doc sagaDoc
	require.NoError(t, g.decodeDoc([]byte(stored), &doc, "o-1"))

	raw, done := doc.lookup("m-1")
	require.True(t, done)
	events, err := g.eventsOf(raw, "o-1")
	require.NoError(t, err)
	require.Equal(t, []pendingEvent{{Type: "OrderCreated", Payload: []byte(`{"a":1}`)}}, events)
	raw, done = doc.lookup("m-2")
	require.True(t, done)
	events, err = g.eventsOf(raw, "o-1")
	require.NoError(t, err)
	require.Empty(t, events)
	_, done = doc.lookup("m-3")
	require.False(t, done)

	require.NoError(t, doc.remember("m-3", []pendingEvent{{Type: "PaymentProcessed", Payload: []byte(`{}`)}}))
	require.NoError(t, doc.remember("m-4", nil))
	next, err := json.Marshal(doc)
	require.NoError(t, err)
	require.JSONEq(t, `{"state":"e30=","recent":[{"id":"m-1","events":[{"type":"OrderCreated","payload":"eyJhIjoxfQ=="}]},{"id":"m-2"},`+
		`{"id":"m-3","events":[{"type":"PaymentProcessed","payload":"e30="}]},{"id":"m-4"}]}`, string(next))
	require.Equal(t, stored[:len(stored)-2], string(next[:len(stored)-2]))
}

// Stored events that no longer decode fail the redelivered command that
// reads them permanently, as a corrupt document does.
func TestSagaStoredEventsThatDoNotDecodeArePermanent(t *testing.T) {
	g := &Saga[struct{}]{name: "order"}
	var doc sagaDoc
	require.NoError(t, g.decodeDoc([]byte(`{"state":"e30=","recent":[{"id":"m-1","events":{"type":1}}]}`), &doc, "o-1"))
	raw, done := doc.lookup("m-1")
	require.True(t, done)
	_, err := g.eventsOf(raw, "o-1")
	require.Error(t, err)
	require.True(t, sourceflow.IsPermanent(err))
	require.ErrorContains(t, err, "stored order")
}
