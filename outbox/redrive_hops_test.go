package outbox_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// A dead letter whose message reached the hop limit is redriven with its
// hop count unless ResetHops takes it out; either way the message keeps
// its other metadata, its payload and its destination.
func TestRedriveWithResetHopsTakesTheHopCountOutOfTheMessage(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		for _, reset := range []bool{false, true} {
			db := d.open(t)
			topic := uniqueName("obh")
			d.dropOutbox(t, db, topic)
			cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: newStuckTransport(), Topic: topic, DisableForwarder: true}
			box, err := outbox.New(cfg)
			require.NoError(t, err)
			require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "obh"}))
			require.NoError(t, box.Close())
			envelope := `{"destination_topic":"orders","uuid":"m-1","payload":"e30=","metadata":{"sf_hops":"64","sf_type":"orders.Placed"}}`
			d.insertRow(t, db, topic+"_dead_letters", "row-1", envelope, `{"sf_failure":"cqrs: hop limit exceeded"}`)

			n, err := outbox.RedriveWith(context.Background(), cfg, cqrs.RedriveOptions{ResetHops: reset})
			require.NoError(t, err)
			require.Equal(t, 1, n)

			var payload []byte
			require.NoError(t, db.QueryRow("SELECT payload FROM "+d.quote("watermill_"+topic)).Scan(&payload))
			var got struct {
				DestinationTopic string            `json:"destination_topic"`
				UUID             string            `json:"uuid"`
				Payload          []byte            `json:"payload"`
				Metadata         map[string]string `json:"metadata"`
			}
			require.NoError(t, json.Unmarshal(payload, &got))
			want := map[string]string{"sf_hops": "64", "sf_type": "orders.Placed"}
			if reset {
				want = map[string]string{"sf_type": "orders.Placed"}
			}
			assert.Equal(t, want, got.Metadata, "reset %v", reset)
			assert.Equal(t, []any{"orders", "m-1", []byte("{}")}, []any{got.DestinationTopic, got.UUID, got.Payload})
		}
	})
}
