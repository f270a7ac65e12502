package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// sizedDeadLetterRig is an order service on a PubSubTransport whose
// MaxMessageBytes is limit, over a Pub/Sub that refuses for good a message
// over limit (as SNS does), and whose handlers fail the message "poison"
// for good with a long reason.
type sizedDeadLetterRig struct {
	rig *pubsubRig
	tr  *cqrs.PubSubTransport
	app *orderApp
	dlq *recorder[*message.Message]
}

// poisonCause is the end of the poison's failure, where its cause is.
const poisonCause = ": the cause"

func newSizedDeadLetterRig(t *testing.T, limit int) *sizedDeadLetterRig {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	fail := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.UUID == "poison" {
				return nil, sourceflow.Permanent(errors.New("refused: " + strings.Repeat("r", 600) + poisonCause))
			}
			return h(msg)
		}
	}
	tr := rig.transport(t, cqrs.PubSubConfig{MaxMessageBytes: limit, MaxDeliveries: 3})
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{fail}}})
	return &sizedDeadLetterRig{rig: rig, tr: tr, app: app, dlq: dlq}
}

// setLimit makes the Pub/Sub refuse a message over limit from now on.
func (r *pubsubRig) setLimit(limit int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.limit = limit
}

// poisonOf returns the command "poison" of size bytes (rigBytes), with
// metadata as its sender sets it and, when metadataBytes is positive, a
// value that makes its metadata at least that large.
func poisonOf(size, metadataBytes int) *message.Message {
	m := rawCommandID("poison", "orders.CreateOrder", "o-9", "")
	if metadataBytes > 0 {
		m.Metadata.Set("big", strings.Repeat("b", metadataBytes))
	}
	m.Payload = []byte(strings.Repeat("p", max(size-rigBytes(m), 0)))
	return m
}

// deadLettersAndFlows starts the service, with "poison" published before,
// sends an order on the same destination, and waits for the order to flow
// and poison to be dead-lettered; it returns the dead letter.
func (r *sizedDeadLetterRig) deadLettersAndFlows(t *testing.T) *message.Message {
	t.Helper()
	r.app.start(t)
	_, err := r.app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := r.app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the next message on the destination flows")
	eventually(t, func() bool { return len(r.dlq.all()) >= 1 }, "the message is dead-lettered")
	dead := r.dlq.all()[0]
	assert.Equal(t, "poison", dead.UUID)
	return dead
}

// A message just under MaxMessageBytes that fails for good takes its dead
// letter, with the reason and the other markers, past the limit: the dead
// letter drops where its handler failed, then has its reason cut, keeping
// its beginning and its end and saying so, and is published; the next
// message of the destination flows. DeadLetters keeps the reason whole.
func TestPubSubTransportCutsTheReasonOfADeadLetterOverMaxMessageBytes(t *testing.T) {
	const limit = 4096
	r := newSizedDeadLetterRig(t, limit)
	r.rig.setLimit(limit)
	poison := poisonOf(limit-500, 0)
	payload := string(poison.Payload)
	require.NoError(t, r.rig.Publish("orders", poison))

	dead := r.deadLettersAndFlows(t)
	assert.LessOrEqual(t, rigBytes(dead), limit, "the dead letter fits")
	assert.Equal(t, payload, string(dead.Payload), "the message is kept whole")
	reason := dead.Metadata.Get(sourceflow.MetaFailure)
	assert.True(t, strings.HasPrefix(reason, "refused: rrr"), "the reason's beginning is kept: %q", reason)
	assert.Contains(t, reason, poisonCause+" (cut from ", "the reason's end is kept, then the note")
	assert.True(t, strings.HasSuffix(reason, "bytes: the dead letter must fit in PubSubConfig.MaxMessageBytes)"), "%q", reason)
	assert.Empty(t, dead.Metadata.Get(sourceflow.MetaFailedHost), "where its handler failed is dropped first")
	assert.Empty(t, dead.Metadata.Get(sourceflow.MetaFailedVersion))
	assert.Equal(t, "orders", dead.Metadata.Get(sourceflow.MetaDeadLetteredBy))
	assert.Equal(t, "orders.CreateOrder", dead.Metadata.Get(sourceflow.MetaType), "the message's metadata is kept")

	kept := r.tr.DeadLetters()
	require.Len(t, kept, 1)
	assert.True(t, strings.HasSuffix(kept[0].Reason, poisonCause), "DeadLetters keeps the reason whole: %q", kept[0].Reason)
	assert.NotContains(t, kept[0].Reason, "cut from")
}

// A message that does not fit MaxMessageBytes even without a reason (the
// Pub/Sub took it under a larger limit, lowered since) is dead-lettered
// without its payload, and when its metadata alone is over the limit
// without that too, its reason saying what was left out and naming the
// limit; the next message of the destination flows, and DeadLetters keeps
// the message whole. A dead letter the Pub/Sub refused on every try would
// leave the message delivered again for ever, holding its destination.
func TestPubSubTransportLeavesOutWhatOfADeadLetterDoesNotFitMaxMessageBytes(t *testing.T) {
	const limit = 4096
	for name, tc := range map[string]struct {
		metadataBytes int
		leftOut       string
	}{
		"payload":              {0, " (its payload of %d bytes left out: "},
		"payload and metadata": {limit, " (its payload of %d bytes and its metadata left out: "},
	} {
		t.Run(name, func(t *testing.T) {
			r := newSizedDeadLetterRig(t, limit)
			poison := poisonOf(limit+500, tc.metadataBytes)
			payload := string(poison.Payload)
			require.NoError(t, r.rig.Publish("orders", poison), "taken under a larger limit")
			r.rig.setLimit(limit)

			dead := r.deadLettersAndFlows(t)
			assert.LessOrEqual(t, rigBytes(dead), limit, "the dead letter fits")
			assert.Equal(t, "payload left out: see sf_failure", string(dead.Payload), "the payload is left out, a note in its place: SNS and SQS refuse an empty body")
			reason := dead.Metadata.Get(sourceflow.MetaFailure)
			assert.True(t, strings.HasPrefix(reason, "refused: rrr"), "the reason's beginning is kept: %q", reason)
			assert.Contains(t, reason, fmt.Sprintf(tc.leftOut, len(payload)), "the reason says what was left out")
			assert.Contains(t, reason, "the dead letter must fit in PubSubConfig.MaxMessageBytes, 4096 bytes)")
			assert.Equal(t, tc.metadataBytes == 0, dead.Metadata.Get(sourceflow.MetaType) != "", "the metadata is kept when it fits")
			assert.Equal(t, "orders", dead.Metadata.Get(sourceflow.MetaDeadLetteredBy))

			kept := r.tr.DeadLetters()
			require.Len(t, kept, 1)
			assert.Equal(t, payload, string(kept[0].Message.Payload), "DeadLetters keeps the message whole")
		})
	}
}
