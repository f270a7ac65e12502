//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

type aliasPlaced struct {
	Amount int `json:"amount"`
}

// An event type renamed in its listener, the old name kept as an alias:
// events a sender still publishes under the old name pass the listener's
// SNS filter policy and are handled as the type's, under its new name.
func TestModelAnAliasedEventTypeReceivesItsOlderName(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	topic := uniqueName("m-alias", "")
	sender, _ := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{Name: uniqueName("m-alias-sender", "")})
	require.NoError(t, cqrs.RegisterEvent[aliasPlaced](sender, "alias.OrderPlaced", topic))
	listener, _ := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{Name: uniqueName("m-alias-listener", ""), Listen: []string{topic}})
	require.NoError(t, cqrs.RegisterEvent[aliasPlaced](listener, "alias.Placed", topic, cqrs.Aliases("alias.OrderPlaced")))
	runs := &ledger{}
	require.NoError(t, cqrs.React(cqrs.NewAggregate(listener, "o"), func(_ context.Context, _ *cqrs.Aggregate, _ aliasPlaced, env cqrs.Envelope) error {
		runs.add(listener.Name(), "placed", env)
		return nil
	}))
	startModel(t, listener, sender)

	_, err := sender.EventQueue().Raise(context.Background(), "o-1", aliasPlaced{Amount: 5})
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got := runs.all()
		if assert.NotEmpty(c, got, "the event of the older name was handled") {
			assert.Equal(c, "alias.Placed", got[0].Env.Type)
		}
	}, 60*time.Second, 100*time.Millisecond)
}
