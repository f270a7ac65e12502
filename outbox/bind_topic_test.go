package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

// An outbox Topic sharing its tables with an sqlbus destination on the same
// database would make each side read, and dead-letter, the other's rows.
func TestBindRefusesATopicWhoseTablesAnSQLBusDestinationUses(t *testing.T) {
	cases := []struct {
		name    string
		topic   string
		binding sourceflow.Binding
	}{
		{"route", "orders", routeTo("orders")},
		{"listener", "orders", listenOn("orders")},
		{"default topic", "", routeTo(outbox.DefaultTopic)},
		{"case folded (MySQL)", "Orders", routeTo("orders")},
		{"dead-letter table", "orders", routeTo("orders_dead_letters")},
		{"offsets table", "offsets_orders", routeTo("orders")},
		{"destination in the outbox's offsets table", "orders", listenOn("offsets_orders")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			box := newFakeBox(t, &fakeDB{}, sourceflow.Postgres, c.topic)
			err := within(t, "Bind", func() error { return box.Bind(context.Background(), c.binding) })
			require.ErrorIs(t, err, outbox.ErrInvalidTopic)
			assert.ErrorContains(t, err, "Config.Topic")
			assert.NoError(t, box.Close())
		})
	}
}

func TestBindAcceptsATopicApartFromTheSQLBusDestinations(t *testing.T) {
	for _, b := range []sourceflow.Binding{
		routeTo("orders"),
		listenOn("orders"),
		routeTo("Orders_outbox"),                  // sqlbus escapes it: $4frders_outbox
		routeTo("orders_outbox.fifo"),             // not a table name an outbox Topic can have
		routeTo("orders_outbox_dead_letters$dlq"), // sqlbus escapes '$'
		listenOn("a_destination_name_longer_than_41_bytes_is_hashed_by_sqlbus"),
	} {
		box := newFakeBox(t, &fakeDB{}, sourceflow.Postgres, "orders_outbox")
		require.NoError(t, within(t, "Bind", func() error { return box.Bind(context.Background(), b) }))
		require.NoError(t, within(t, "Close", box.Close))
	}
}
