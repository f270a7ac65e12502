package cqrs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// TestCorrelationIDFromContextReachesHandlers: the one correlation key,
// sourceflow.ContextWithCorrelationID, is honoured by Aggregate.Send with and
// without the correlation middleware in the pipeline, and the handler's
// follow-up messages share it.
func TestCorrelationIDFromContextReachesHandlers(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  cqrs.ServiceConfig
	}{
		{"without middleware", cqrs.ServiceConfig{}},
		{"with the correlation middleware", cqrs.ServiceConfig{
			HandlerMiddleware:   []message.HandlerMiddleware{middleware.Correlation},
			PublisherDecorators: []message.PublisherDecorator{middleware.CorrelatePublisher},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen recorder[[2]string] // correlation id in the envelope and in the context
			cfg := tc.cfg
			cfg.Hooks = cqrs.Hooks{EventSubscribe: []message.HandlerMiddleware{func(h message.HandlerFunc) message.HandlerFunc {
				return func(msg *message.Message) ([]*message.Message, error) {
					env, err := cqrs.EnvelopeOf(msg)
					require.NoError(t, err)
					seen.add([2]string{env.CorrelationID, sourceflow.CorrelationIDFromContext(msg.Context())})
					return h(msg)
				}
			}}}
			app := newOrderApp(t, cfg)
			app.start(t)
			ctx := sourceflow.ContextWithCorrelationID(context.Background(), "corr-42")
			cmd, err := app.agg.Send(ctx, "o-1", CreateOrder{Amount: 3})
			require.NoError(t, err)
			assert.Equal(t, "corr-42", cmd.CorrelationID)
			got := seen.all()
			require.NotEmpty(t, got, "the flow's events were handled")
			for _, s := range got {
				assert.Equal(t, "corr-42", s[0], "every event of the flow carries the id")
				if tc.cfg.HandlerMiddleware != nil {
					assert.Equal(t, "corr-42", s[1], "the middleware puts it in the handler's context")
				}
			}
		})
	}
}

// A correlation id that sourceflow.ValidCorrelationID refuses (oversize, or
// with characters a log line would act on), which anyone who may send to
// the queue could set, is not copied onto the messages its handlers send:
// they start a flow named by the handled message's id.
func TestAnInvalidIncomingCorrelationIDIsNotPropagated(t *testing.T) {
	for name, corr := range map[string]string{
		"oversize":         strings.Repeat("c", 200<<10),
		"control":          "flow\x1b[31m-1",
		"invalid encoding": "flow\xff",
	} {
		for _, mw := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, middleware %t", name, mw), func(t *testing.T) {
				var seen recorder[[2]string] // correlation id in the envelope and in the context
				publishRawOrder(t, mw, correlationCapture(t, &seen), withMetadata(
					rawCommandID("raw-1", "orders.CreateOrder", "o-1", `{"amount":3}`), sourceflow.MetaCorrelationID, corr))

				eventually(t, func() bool { return len(seen.all()) > 0 }, "the command's events were handled")
				for _, s := range seen.all() {
					assert.Equal(t, "raw-1", s[0], "the events start a flow named by the command's id")
					if mw {
						assert.Equal(t, "raw-1", s[1], "the middleware puts that id in the handler's context")
					}
				}
			})
		}
	}
}

// publishRawOrder starts the order app, with the correlation middleware
// when mw is set and capture hooked before its event handlers, and
// publishes msg, a raw command, to its "orders" destination.
func publishRawOrder(t *testing.T, mw bool, capture message.HandlerMiddleware, msg *message.Message) {
	t.Helper()
	cfg := cqrs.ServiceConfig{Hooks: cqrs.Hooks{EventSubscribe: []message.HandlerMiddleware{capture}}}
	if mw {
		cfg.HandlerMiddleware = []message.HandlerMiddleware{middleware.Correlation}
		cfg.PublisherDecorators = []message.PublisherDecorator{middleware.CorrelatePublisher}
	}
	app := newOrderApp(t, cfg)
	app.start(t)
	pub, err := app.transport.Publisher("orders")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("orders", msg))
}

// correlationCapture is a hook recording the correlation id of each message
// in its envelope and in its context.
func correlationCapture(t *testing.T, seen *recorder[[2]string]) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			env, err := cqrs.EnvelopeOf(msg)
			require.NoError(t, err)
			seen.add([2]string{env.CorrelationID, sourceflow.CorrelationIDFromContext(msg.Context())})
			return h(msg)
		}
	}
}

// sourceflow.ContextWithCorrelationID leaves out an id that is not valid:
// messages sent with that context start their own flow.
func TestAnInvalidCorrelationIDFromContextIsNotUsed(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := sourceflow.ContextWithCorrelationID(context.Background(), strings.Repeat("c", sourceflow.MaxCorrelationIDLen+1))

	cmd, err := app.agg.Send(ctx, "o-1", CreateOrder{Amount: 3})

	require.NoError(t, err)
	assert.Equal(t, cmd.MessageID, cmd.CorrelationID)
}

// An incoming message id that sourceflow.ValidCorrelationID refuses
// (oversize, unprintable), which anyone who may send to the queue could
// set, is copied neither as the causation id nor as the correlation id of
// the messages its handlers send.
func TestAnInvalidIncomingMessageIDIsNotCopiedDownstream(t *testing.T) {
	for name, id := range map[string]string{
		"oversize": strings.Repeat("m", 200<<10),
		"control":  "raw\x1b[31m-1",
	} {
		for _, mw := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, middleware %t", name, mw), func(t *testing.T) {
				var seen recorder[cqrs.Envelope]
				capture := func(h message.HandlerFunc) message.HandlerFunc {
					return func(msg *message.Message) ([]*message.Message, error) {
						env, err := cqrs.EnvelopeOf(msg)
						require.NoError(t, err)
						seen.add(env)
						return h(msg)
					}
				}
				publishRawOrder(t, mw, capture, rawCommandID(id, "orders.CreateOrder", "o-1", `{"amount":3}`))

				eventually(t, func() bool { return len(seen.all()) > 0 }, "the command's events were handled")
				for _, env := range seen.all() {
					assert.NotEqual(t, id, env.CausationID, "the refused id is not named as the cause")
					assert.True(t, env.CausationID == "" || sourceflow.ValidCorrelationID(env.CausationID), "a valid causation id or none")
					assert.True(t, sourceflow.ValidCorrelationID(env.CorrelationID), "a valid correlation id")
				}
			})
		}
	}
}
