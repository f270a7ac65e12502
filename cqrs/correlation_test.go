package cqrs_test

import (
	"context"
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
