package tracing_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// gatewayDown is a handler's own error type.
type gatewayDown struct{}

func (*gatewayDown) Error() string { return "payment gateway down" }

// The exception event names the type of the handler's own error, not of
// what carries it out of the pipeline: the dispatcher's fmt.Errorf, a join
// of one (the idempotency middleware's, with a clean release), the
// permanent and retry-after marks. Several errors joined keep the join's
// type: no one of them is the failure.
func TestMiddlewareExceptionTypeNamesTheHandlersError(t *testing.T) {
	own := &gatewayDown{}
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"as returned":       {own, "*tracing_test.gatewayDown"},
		"wrapped":           {fmt.Errorf("handler %q, model.PayOrder %q: %w", "payment", "m-1", own), "*tracing_test.gatewayDown"},
		"joined alone":      {fmt.Errorf("handler: %w", errors.Join(own)), "*tracing_test.gatewayDown"},
		"permanent":         {fmt.Errorf("handler: %w", sourceflow.Permanent(own)), "*tracing_test.gatewayDown"},
		"retry after":       {sourceflow.RetryAfter(fmt.Errorf("kms: %w", own), time.Second), "*tracing_test.gatewayDown"},
		"store unavailable": {fmt.Errorf("sqlstore: begin: %w", sourceflow.StoreUnavailable(own)), "*tracing_test.gatewayDown"},
		"several joined":    {errors.Join(own, errors.New("release failed")), "*errors.joinError"},
		"several wrapped":   {fmt.Errorf("%w, %w", own, errors.New("release failed")), "*fmt.wrapErrors"},
		"a plain sentinel":  {fmt.Errorf("%w: x", errors.New("unknown type")), "*errors.errorString"},
	} {
		t.Run(name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tracing.Config{})
			_, _ = tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, tc.err })(message.NewMessage("uuid-1", nil))
			events := spanNamed(t, rec, "process").Events()
			if assert.NotEmpty(t, events) {
				assert.Equal(t, tc.want, attrMap(events[0].Attributes)["exception.type"])
			}
		})
	}
}
