package tracing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// The error of a consumed message may quote what its sender wrote (a type
// no handler knows, a sequence that is no number): its text is cut to 512
// bytes on the span's status and exception event, as in the dead-letter
// reason, so one message cannot make spans too large for the backend.
func TestMiddlewareCutsALongErrorOnTheSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	sent := strings.Repeat("x", 489) + strings.Repeat("é", 50_000)
	boom := fmt.Errorf("%w: %s", errors.New("unknown message type"), sent)

	_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, boom })(message.NewMessage("uuid-1", nil))

	require.ErrorIs(t, err, boom, "the handler error is returned unchanged")
	span := spanNamed(t, rec, "process")
	want := boom.Error()[:511] + "…" // not inside the 2-byte é at bytes 511 and 512
	assert.Len(t, span.Status().Description, len(want))
	assert.Equal(t, codes.Error, span.Status().Code)
	assert.Equal(t, want, span.Status().Description)
	require.Len(t, span.Events(), 1)
	event := attrMap(span.Events()[0].Attributes)
	assert.Equal(t, "exception", span.Events()[0].Name)
	assert.Equal(t, want, event["exception.message"])
	assert.Equal(t, "*errors.errorString", event["exception.type"], "the type of the error the fmt.Errorf carries")
}

// A short error is recorded as the SDK records it.
func TestMiddlewareRecordsAShortErrorWhole(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	boom := errors.New("saga rejected the command")

	_, _ = tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, boom })(message.NewMessage("uuid-1", nil))

	event := attrMap(spanNamed(t, rec, "process").Events()[0].Attributes)
	assert.Equal(t, boom.Error(), event["exception.message"])
	assert.Equal(t, "*errors.errorString", event["exception.type"])
}
