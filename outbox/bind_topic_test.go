package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// routeTo is a binding routing one command type to destination.
func routeTo(destination string) sourceflow.Binding {
	return sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "PlaceOrder", Kind: sourceflow.KindCommand, Destination: destination},
	}}
}

// listenOn is a binding listening on destination.
func listenOn(destination string) sourceflow.Binding {
	return sourceflow.Binding{Service: "svc", Listeners: []sourceflow.Listener{
		{Destination: destination, Kind: sourceflow.KindEvent, Types: []string{"OrderPlaced"}},
	}}
}

// Bind does not judge Config.Topic against the destinations of its Binding:
// whether they share tables depends on the inner transport (on awsbus, a
// Topic "orders" and a destination "orders" are unrelated) and on the
// database's case rules (PostgreSQL's quoted "Orders" and "orders" are
// different tables). Config.Topic's doc tells sqlbus users what to avoid.
func TestBindAcceptsATopicNamedLikeADestination(t *testing.T) {
	cases := []struct {
		name    string
		topic   string
		binding sourceflow.Binding
	}{
		{"route", "orders", routeTo("orders")},
		{"listener", "orders", listenOn("orders")},
		{"default topic", "", routeTo(outbox.TopicFor("svc"))},
		{"case differs", "Orders", routeTo("orders")},
		{"dead-letter table", "orders", routeTo("orders_dead_letters")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			box := newFakeBox(t, fakeDB(""), sourceflow.Postgres, c.topic)
			require.NoError(t, sqldbtest.Within(t, "Bind", func() error { return box.Bind(context.Background(), c.binding) }))
			require.NoError(t, sqldbtest.Within(t, "Close", box.Close))
		})
	}
}
