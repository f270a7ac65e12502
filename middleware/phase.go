package middleware

// ConsumePhase names a place in the consume-side chain. The constants are
// declared outermost first: a message passes through ConsumeRecover first and
// ConsumeRetry last before it reaches the typed handler.
type ConsumePhase int

// The consume-side phases, outermost first.
const (
	// ConsumeRecover turns a panic anywhere inside into an error (Recover).
	ConsumeRecover ConsumePhase = iota + 1
	// ConsumeTracing extracts the trace context and starts the consumer span.
	// Correlation is placed here, just before the tracer (Stack.Insert), so
	// that spans and logs see the correlation id.
	ConsumeTracing
	// ConsumeMetrics counts every outcome, duplicates included.
	ConsumeMetrics
	// ConsumeIdempotency claims the message id; a duplicate is acked before
	// any decryption or handler run.
	ConsumeIdempotency
	// ConsumeDecrypt decrypts the body.
	ConsumeDecrypt
	// ConsumeRetry retries the handler only (Retry).
	ConsumeRetry
)

// ConsumePhases returns every consume-side phase, outermost first.
func ConsumePhases() []ConsumePhase {
	return []ConsumePhase{
		ConsumeRecover, ConsumeTracing, ConsumeMetrics,
		ConsumeIdempotency, ConsumeDecrypt, ConsumeRetry,
	}
}

var consumeNames = [...]string{
	ConsumeRecover: "recover", ConsumeTracing: "tracing", ConsumeMetrics: "metrics",
	ConsumeIdempotency: "idempotency", ConsumeDecrypt: "decrypt", ConsumeRetry: "retry",
}

// String returns the phase's lower-case name, e.g. "idempotency".
func (p ConsumePhase) String() string { return phaseName(consumeNames[:], int(p)) }

func (p ConsumePhase) valid() bool { return p >= ConsumeRecover && p <= ConsumeRetry }

// ProducePhase names a place in the produce-side chain. The constants are
// declared in the order an outgoing message passes through them:
// ProduceCorrelation first, ProduceMetrics last before the transport.
type ProducePhase int

// The produce-side phases, in the order an outgoing message passes them.
const (
	// ProduceCorrelation stamps the correlation id (CorrelatePublisher).
	ProduceCorrelation ProducePhase = iota + 1
	// ProduceTracing starts the producer span and injects the trace context
	// into metadata.
	ProduceTracing
	// ProduceEncrypt encrypts the body.
	ProduceEncrypt
	// ProduceMetrics counts and times every send, as the transport sees it.
	ProduceMetrics
)

// ProducePhases returns every produce-side phase, first applied first.
func ProducePhases() []ProducePhase {
	return []ProducePhase{ProduceCorrelation, ProduceTracing, ProduceEncrypt, ProduceMetrics}
}

var produceNames = [...]string{
	ProduceCorrelation: "correlation", ProduceTracing: "tracing", ProduceEncrypt: "encrypt", ProduceMetrics: "metrics",
}

// String returns the phase's lower-case name, e.g. "encrypt".
func (p ProducePhase) String() string { return phaseName(produceNames[:], int(p)) }

func (p ProducePhase) valid() bool { return p >= ProduceCorrelation && p <= ProduceMetrics }

// phaseName is names[p], or "unknown" for a value that names no phase.
func phaseName(names []string, p int) string {
	if p <= 0 || p >= len(names) {
		return "unknown"
	}
	return names[p]
}
