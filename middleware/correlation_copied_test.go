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

// A handler that copies the incoming metadata onto the messages it returns
// (as Watermill handlers often do) copies an invalid
// correlation id too: Correlation replaces it with the flow's, so it is
// not propagated.
func TestCorrelation_ReplacesAnInvalidIDCopiedFromTheIncomingMessage(t *testing.T) {
	in := newMsg("u", map[string]string{sourceflow.MetaCorrelationID: strings.Repeat("c", 200<<10), sourceflow.MetaMessageID: "id"})
	h := middleware.Correlation(func(msg *message.Message) ([]*message.Message, error) {
		out := message.NewMessage("fresh", nil)
		for k, v := range msg.Metadata {
			out.Metadata.Set(k, v)
		}
		return []*message.Message{out}, nil
	})

	out, err := h(in)

	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, "id", out[0].Metadata.Get(sourceflow.MetaCorrelationID))
}

// CorrelatePublisher treats a correlation id that
// sourceflow.ValidCorrelationID refuses as missing: it names the message's
// flow instead, and removes the invalid id when no valid one names it.
func TestCorrelatePublisher_ReplacesAnInvalidID(t *testing.T) {
	oversize := strings.Repeat("c", sourceflow.MaxCorrelationIDLen+1)
	withCtx := newMsg("u", map[string]string{sourceflow.MetaCorrelationID: oversize})
	withCtx.SetContext(sourceflow.ContextWithCorrelationID(context.Background(), "from-ctx"))
	for name, tt := range map[string]struct {
		msg  *message.Message
		want string
	}{
		"from the context": {withCtx, "from-ctx"},
		"own message id":   {newMsg("u", map[string]string{sourceflow.MetaCorrelationID: "c\x1b", sourceflow.MetaMessageID: "id"}), "id"},
		"no valid id":      {newMsg("u\xff", map[string]string{sourceflow.MetaCorrelationID: oversize}), ""},
	} {
		t.Run(name, func(t *testing.T) {
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
