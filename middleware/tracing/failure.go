package tracing

import (
	"errors"

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

// markFailed records err on span, sets its status to Error and its
// error.type, as the messaging conventions ask of a failed operation.
func markFailed(span trace.Span, err error) {
	kind := errorTransient
	switch {
	case errors.Is(err, sourceflow.ErrPanic):
		kind = errorPanic
	case sourceflow.IsPermanent(err):
		kind = errorPermanent
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(semconv.ErrorTypeKey.String(kind))
}

// markPanicked sets span's status to Error, described as "<what> panicked",
// and its error.type to "panic".
func markPanicked(span trace.Span, what string) {
	span.SetStatus(codes.Error, what+" panicked")
	span.SetAttributes(semconv.ErrorTypeKey.String(errorPanic))
}
