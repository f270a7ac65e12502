package cqrs_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// FuzzEnvelopeOf reads envelopes from arbitrary metadata values. A refusal
// is ErrEnvelope; an accepted envelope carries the values it was read from,
// and writing it into a new message reads back as the same envelope.
func FuzzEnvelopeOf(f *testing.F) {
	at := time.Date(2026, 3, 1, 12, 30, 0, 123456789, time.UTC)
	for _, e := range []cqrs.Envelope{
		{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: "o-1", Sequence: 3, OccurredAt: at},
		{Type: "orders.OrderCreated", MessageID: "m-2", EntityID: "o-1", Sequence: 1 << 62, CorrelationID: "c-1",
			CausationID: "m-1", OccurredAt: at.In(time.FixedZone("x", 5400)), Replay: true},
		{Type: "t", MessageID: "m-3", Sequence: -1},
	} {
		msg := message.NewMessage("", nil)
		e.WriteTo(msg)
		md := msg.Metadata
		f.Add(msg.UUID, md.Get(sourceflow.MetaType), md.Get(sourceflow.MetaMessageID), md.Get(sourceflow.MetaEntityID),
			md.Get(sourceflow.MetaSequence), md.Get(sourceflow.MetaCorrelationID), md.Get(sourceflow.MetaCausationID),
			md.Get(sourceflow.MetaOccurredAt), md.Get(sourceflow.MetaReplay))
	}
	f.Add("u-1", "t", "", "", "+07", "", "", "2026-03-01T12:30:00+01:00", "T")
	f.Add("", "t", "", "", "9223372036854775808", "", "", "", "")
	f.Add("u", "t", "m", "", "", "", "", "2026-02-30T00:00:00Z", "yes")
	f.Fuzz(func(t *testing.T, uuid, typ, id, entity, seq, corr, cause, occurred, replay string) {
		msg := message.NewMessage(uuid, nil)
		for k, v := range map[string]string{
			sourceflow.MetaType: typ, sourceflow.MetaMessageID: id, sourceflow.MetaEntityID: entity,
			sourceflow.MetaSequence: seq, sourceflow.MetaCorrelationID: corr, sourceflow.MetaCausationID: cause,
			sourceflow.MetaOccurredAt: occurred, sourceflow.MetaReplay: replay,
		} {
			if v != "" {
				msg.Metadata.Set(k, v)
			}
		}
		e, err := cqrs.EnvelopeOf(msg)
		if err != nil {
			require.ErrorIs(t, err, cqrs.ErrEnvelope)
			return
		}
		require.Equal(t, typ, e.Type)
		require.NotEmpty(t, e.Type)
		require.Equal(t, cmpOr(id, uuid), e.MessageID)
		require.Equal(t, [3]string{entity, corr, cause}, [3]string{e.EntityID, e.CorrelationID, e.CausationID})

		out := message.NewMessage("other", nil)
		e.WriteTo(out)
		require.Equal(t, e.MessageID, out.UUID)
		back, err := cqrs.EnvelopeOf(out)
		require.NoError(t, err, "a read envelope does not read back once written: %+v", e)
		require.True(t, e.OccurredAt.Equal(back.OccurredAt), "time %v read back as %v", e.OccurredAt, back.OccurredAt)
		back.OccurredAt = e.OccurredAt
		require.Equal(t, e, back)
	})
}

// cmpOr returns a, or b when a is empty.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
