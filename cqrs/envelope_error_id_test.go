package cqrs_test

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message whose envelope is refused is dead-lettered with a reason that
// names its id as sourceflow.IDText shows it: an id holding a newline does
// not start a line of its own in the log, and an oversize one does not push
// the cause out of the reason, which is cut to 512 bytes.
func TestEnvelopeErrorsShowTheSendersIDBounded(t *testing.T) {
	forged := "m\nlevel=ERROR msg=forged"
	long := strings.Repeat("u", 100_000)
	for name, msg := range map[string]*message.Message{
		"missing type, forged id": rawCommandID(forged, "", "o-1", `{"amount":1}`),
		"missing type, long id":   rawCommandID(long, "", "o-1", `{"amount":1}`),
		"delivered replay, forged id": withMetadata(rawCommandID(forged, "orders.CreateOrder", "o-1", `{"amount":1}`),
			sourceflow.MetaReplay, "true"),
	} {
		t.Run(name, func(t *testing.T) {
			app, pub, _ := newBadInputApp(t)

			require.NoError(t, pub.Publish("orders", msg))

			dead := app.transport.DeadLetters()
			require.Len(t, dead, 1)
			assert.NotContains(t, dead[0].Reason, "\n", "the id is escaped")
			assert.Contains(t, dead[0].Reason, cqrs.ErrEnvelope.Error(), "the cause is kept")
			assert.Contains(t, dead[0].Reason, sourceflow.IDText(msg.UUID))
		})
	}
}
