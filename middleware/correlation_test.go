package middleware_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

func newMsg(uuid string, meta map[string]string) *message.Message {
	m := message.NewMessage(uuid, nil)
	for k, v := range meta {
		m.Metadata.Set(k, v)
	}
	return m
}

func TestMessageCorrelationID(t *testing.T) {
	tests := []struct {
		name string
		msg  *message.Message
		want string
	}{
		{"correlation id wins", newMsg("u", map[string]string{
			sourceflow.MetaCorrelationID: "corr", sourceflow.MetaMessageID: "id"}), "corr"},
		{"message id starts a flow", newMsg("u", map[string]string{sourceflow.MetaMessageID: "id"}), "id"},
		{"uuid as last resort", newMsg("u", nil), "u"},
		{"nil metadata", &message.Message{UUID: "u"}, "u"},
		{"oversize correlation id is skipped", newMsg("u", map[string]string{
			sourceflow.MetaCorrelationID: strings.Repeat("c", sourceflow.MaxCorrelationIDLen+1), sourceflow.MetaMessageID: "id"}), "id"},
		{"unprintable ids are skipped", newMsg("u", map[string]string{
			sourceflow.MetaCorrelationID: "c\n", sourceflow.MetaMessageID: "id\x1b"}), "u"},
		{"no valid id", newMsg("u\xff", nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, middleware.MessageCorrelationID(tt.msg))
		})
	}
}

func TestCorrelationContext(t *testing.T) {
	ctx := context.Background()
	assert.Empty(t, sourceflow.CorrelationIDFromContext(ctx))
	assert.Equal(t, ctx, sourceflow.ContextWithCorrelationID(ctx, ""), "an empty id leaves ctx unchanged")
	assert.Equal(t, "c1", sourceflow.CorrelationIDFromContext(sourceflow.ContextWithCorrelationID(ctx, "c1")))
	assert.Equal(t, ctx, sourceflow.ContextWithCorrelationID(ctx, "c\u202e1"), "an invalid id leaves ctx unchanged")
}

// An incoming correlation id that is too long is not copied onto the
// messages the handler returns, nor into its context: the flow is named by
// the message's own id.
func TestCorrelation_ConsumeSkipsAnOversizeID(t *testing.T) {
	in := newMsg("u", map[string]string{sourceflow.MetaCorrelationID: strings.Repeat("c", 200<<10), sourceflow.MetaMessageID: "id"})
	var seen string
	h := middleware.Correlation(func(msg *message.Message) ([]*message.Message, error) {
		seen = sourceflow.CorrelationIDFromContext(msg.Context())
		return []*message.Message{newMsg("fresh", nil)}, nil
	})

	out, err := h(in)

	require.NoError(t, err)
	assert.Equal(t, "id", seen)
	require.Len(t, out, 1)
	assert.Equal(t, "id", out[0].Metadata.Get(sourceflow.MetaCorrelationID))
}

// With no valid id to name the flow, nothing is set: the publisher's
// decorator names it when the message is published.
func TestCorrelation_ConsumeSetsNoEmptyID(t *testing.T) {
	out, err := middleware.Correlation(func(*message.Message) ([]*message.Message, error) {
		return []*message.Message{newMsg("fresh", nil)}, nil
	})(newMsg("u\xff", nil))

	require.NoError(t, err)
	require.Len(t, out, 1)
	_, set := out[0].Metadata[sourceflow.MetaCorrelationID]
	assert.False(t, set)
}

type ctxKey struct{}

func TestCorrelation_Consume(t *testing.T) {
	tests := []struct {
		name string
		in   *message.Message
		want string
	}{
		{"incoming correlation id", newMsg("u", map[string]string{
			sourceflow.MetaCorrelationID: "corr", sourceflow.MetaMessageID: "id"}), "corr"},
		{"incoming message id", newMsg("u", map[string]string{sourceflow.MetaMessageID: "id"}), "id"},
		{"incoming uuid", newMsg("u", nil), "u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.SetContext(context.WithValue(context.Background(), ctxKey{}, "kept"))
			preset := newMsg("preset", map[string]string{sourceflow.MetaCorrelationID: "other"})
			literal := &message.Message{UUID: "literal"}
			var seen, kept any
			h := middleware.Correlation(func(msg *message.Message) ([]*message.Message, error) {
				seen = sourceflow.CorrelationIDFromContext(msg.Context())
				kept = msg.Context().Value(ctxKey{})
				return []*message.Message{newMsg("fresh", nil), preset, literal, nil}, nil
			})

			out, err := h(tt.in)

			require.NoError(t, err)
			assert.Equal(t, tt.want, seen, "the handler sees the correlation id in its context")
			assert.Equal(t, "kept", kept, "the message's context keeps its values")
			require.Len(t, out, 4)
			assert.Equal(t, tt.want, out[0].Metadata.Get(sourceflow.MetaCorrelationID))
			assert.Equal(t, "other", out[1].Metadata.Get(sourceflow.MetaCorrelationID), "an existing id is kept")
			assert.Equal(t, tt.want, out[2].Metadata.Get(sourceflow.MetaCorrelationID))
		})
	}
}

func TestCorrelation_ConsumeKeepsHandlerError(t *testing.T) {
	_, err := middleware.Correlation(func(*message.Message) ([]*message.Message, error) {
		return nil, assert.AnError
	})(newMsg("u", nil))
	require.ErrorIs(t, err, assert.AnError)
}

func TestCorrelatePublisher(t *testing.T) {
	withCtx := newMsg("u", map[string]string{sourceflow.MetaMessageID: "id"})
	withCtx.SetContext(sourceflow.ContextWithCorrelationID(context.Background(), "from-ctx"))
	tests := []struct {
		name string
		msg  *message.Message
		want string
	}{
		{"existing id is kept", newMsg("u", map[string]string{sourceflow.MetaCorrelationID: "set"}), "set"},
		{"id from the message context", withCtx, "from-ctx"},
		{"own message id starts a flow", newMsg("u", map[string]string{sourceflow.MetaMessageID: "id"}), "id"},
		{"own uuid as last resort", newMsg("u", nil), "u"},
		{"message literal without metadata", &message.Message{UUID: "lit"}, "lit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport := &fakePublisher{}
			pub, err := middleware.CorrelatePublisher(transport)
			require.NoError(t, err)

			require.NoError(t, pub.Publish("topic", tt.msg))

			got := transport.published()
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, got[0].Metadata.Get(sourceflow.MetaCorrelationID))
		})
	}
}

func TestCorrelatePublisher_ErrorsAndClose(t *testing.T) {
	_, err := middleware.CorrelatePublisher(nil)
	require.ErrorIs(t, err, middleware.ErrNilPublisher)

	transport := &fakePublisher{err: assert.AnError}
	pub, err := middleware.CorrelatePublisher(transport)
	require.NoError(t, err)
	require.ErrorIs(t, pub.Publish("topic", newMsg("u", nil)), assert.AnError)
	require.NoError(t, pub.Close())
	assert.True(t, transport.closed)
}

// A message published from inside a handler, with the handler message's
// context, joins the incoming flow.
func TestCorrelation_ConsumeThenProduce(t *testing.T) {
	transport := &fakePublisher{}
	pub, err := middleware.CorrelatePublisher(transport)
	require.NoError(t, err)
	h := middleware.Correlation(func(msg *message.Message) ([]*message.Message, error) {
		next := newMsg("next", map[string]string{sourceflow.MetaMessageID: "next-id"})
		next.SetContext(msg.Context())
		return nil, pub.Publish("topic", next)
	})

	_, err = h(newMsg("u", map[string]string{sourceflow.MetaCorrelationID: "flow-1"}))

	require.NoError(t, err)
	got := transport.published()
	require.Len(t, got, 1)
	assert.Equal(t, "flow-1", got[0].Metadata.Get(sourceflow.MetaCorrelationID))
}
