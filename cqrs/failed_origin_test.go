package cqrs_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// hostname is this process's host, as a dead letter names it.
func hostname(t *testing.T) string {
	t.Helper()
	host, err := os.Hostname()
	require.NoError(t, err)
	require.NotEmpty(t, host)
	return host
}

// A dead letter of the in-process transport says which host and which
// version of the service failed it, next to its reason: one dead-lettered
// at once for a permanent failure, and one after its last delivery.
func TestChannelTransportDeadLetterSaysWhereItsHandlerFailed(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 2, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Version: "v1.4.2", Transport: tr, Listen: []string{"orders"}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(_ context.Context, _ *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		if c.Amount == 1 {
			return nil, sourceflow.Permanent(errors.New("card refused"))
		}
		return nil, errors.New("bank unreachable")
	}))
	start(t, svc)
	for i, id := range []string{"o-1", "o-2"} {
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), id, CreateOrder{Amount: i + 1})
		require.NoError(t, err)
	}

	eventually(t, func() bool { return len(tr.DeadLetters()) == 2 }, "both commands are dead-lettered")
	for _, dl := range tr.DeadLetters() {
		assert.Equal(t, hostname(t), dl.Message.Metadata.Get(sourceflow.MetaFailedHost), dl.Reason)
		assert.Equal(t, "v1.4.2", dl.Message.Metadata.Get(sourceflow.MetaFailedVersion), dl.Reason)
	}
}

// A dead letter of the Pub/Sub transport (sqlbus's) names the failing
// host and version beside the consumer group, in the dead-letter topic and
// in what DeadLetters keeps.
func TestPubSubTransportDeadLetterSaysWhereItsHandlerFailed(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	tr := rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 1})
	app := newOrderApp(t, cqrs.ServiceConfig{Name: "billing", Version: "v2.0.0-rc.1", Transport: tr})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("poison", "orders.Unheard", "o-9", `{}`)))

	eventually(t, func() bool { return len(dlq.all()) == 1 && len(tr.DeadLetters()) == 1 }, "the poison command is dead-lettered")
	for _, md := range []map[string]string{dlq.all()[0].Metadata, tr.DeadLetters()[0].Message.Metadata} {
		assert.Equal(t, hostname(t), md[sourceflow.MetaFailedHost])
		assert.Equal(t, "v2.0.0-rc.1", md[sourceflow.MetaFailedVersion])
		assert.Equal(t, "billing", md[sourceflow.MetaDeadLetteredBy])
		assert.Contains(t, md[sourceflow.MetaFailure], "unknown message type")
	}
}

// A version is one short line of printable text: every dead letter
// carries it, and the CLI prints it.
func TestServiceConfigRefusesAVersionThatIsNoShortLine(t *testing.T) {
	for name, v := range map[string]string{
		"a line break":   "v1\nv2",
		"an escape":      "v1\x1b[2J",
		"over 128 bytes": "v" + strings.Repeat("1", 128),
	} {
		_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Version: v})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "ServiceConfig.Version", name)
	}
	_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Version: "v0.0.0-20260101120000-abcdef123456+dirty"})
	assert.NoError(t, err, "a pseudo-version of a dirty checkout")
}
