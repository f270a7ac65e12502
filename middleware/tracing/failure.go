package tracing

import (
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
)

// Values of error.type on a failed span: "panic" when the call panicked,
// whether the panic unwound through the span or was recovered below it into
// an error matching sourceflow.ErrPanic (cqrs's dispatcher recovers every
// handler's); else "permanent" for an error sourceflow.IsPermanent reports
// (the message is dead-lettered at once), "transient" for any other. The
// metrics count a panic as permanent or transient, after its value.
const (
	errorPermanent = "permanent"
	errorTransient = "transient"
	errorPanic     = "panic"
)

// maxErrorText bounds, in bytes, the text of an error on a span (its status
// description and its exception event): the error of a consumed message may
// quote what its sender wrote (a type no handler knows, a sequence that is
// no number), and the dead-letter reason is bounded to the same length.
const maxErrorText = 512

// markFailed records err on span, sets its status to Error and its
// error.type, as the messaging conventions ask of a failed operation; err's
// text is cut to maxErrorText bytes.
func markFailed(span trace.Span, err error) {
	kind := errorTransient
	switch {
	case errors.Is(err, sourceflow.ErrPanic):
		kind = errorPanic
	case sourceflow.IsPermanent(err):
		kind = errorPermanent
	}
	text := recordException(span, err)
	span.SetStatus(codes.Error, text)
	span.SetAttributes(semconv.ErrorTypeKey.String(kind))
}

// recordException adds an exception event for err to span, with err's text
// cut to maxErrorText bytes, its type as exceptionType names it and any
// extra attrs, and returns that text.
func recordException(span trace.Span, err error, attrs ...attribute.KeyValue) string {
	text := cut(err.Error(), maxErrorText)
	if span.IsRecording() {
		span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(append(attrs,
			semconv.ExceptionType(exceptionType(err)), semconv.ExceptionMessage(text))...))
	}
	return text
}

// markPanicked sets span's status to Error, described as "<what> panicked",
// and its error.type to "panic".
func markPanicked(span trace.Span, what string) {
	span.SetStatus(codes.Error, what+" panicked")
	span.SetAttributes(semconv.ErrorTypeKey.String(errorPanic))
}
