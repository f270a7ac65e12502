package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DefaultDepthInterval is how often a DepthSource is polled by default.
const DefaultDepthInterval = 30 * time.Second

// Config configures Metrics. The zero value is valid: it records into a no-op
// meter provider and observes nothing.
type Config struct {
	// MeterProvider creates the meter. Default: a no-op provider; the global
	// provider is never used implicitly.
	MeterProvider metric.MeterProvider
	// InstrumentationScope is the meter's scope name. Default:
	// sourceflow.InstrumentationScope.
	InstrumentationScope string
	// IsDuplicate reports, after the inner pipeline returned without error,
	// whether the message was acknowledged as a duplicate rather than
	// handled; such messages are counted with OutcomeDuplicate. Default: the
	// message carries sourceflow.MetaDuplicate "true", which the idempotency
	// middleware sets on the duplicates it acknowledges.
	IsDuplicate func(msg *message.Message) bool
	// KMS are the encryption phase's KMS counters, summed and exported as
	// NameKMSCalls, NameKMSFailures and NameKMSCacheLookups. Optional.
	KMS []KMSStatsSource
	// Duplicates are the idempotency phases' duplicate counters, summed and
	// exported as NameDuplicates. Optional.
	Duplicates []DuplicateSource
	// Circuits are the publish circuit breakers, exported as
	// NameCircuitState per destination. Optional.
	Circuits []CircuitSource
	// StoreRetries are the stores' counts of throttled requests and
	// transaction conflicts (the DynamoDB stores' RetryStats), summed and
	// exported as NameStoreRetries by reason. Optional.
	StoreRetries []StoreRetrySource
	// DeadLetters are the transports' counts of dead-lettered messages,
	// summed per destination and exported as NameDeadLetters. Optional.
	DeadLetters []DeadLetterSource
	// HandlerRetries are the retry middleware's counts of retried handler
	// runs and of deliveries given up on (the middleware package's
	// Retrier.Stats), summed and exported as NameHandlerRetries and
	// NameHandlerGiveUps. Optional.
	HandlerRetries []HandlerRetrySource
	// Depth, when set, is polled every DepthInterval from New until Close,
	// and the last depth read of each queue is exported as NameQueueDepth
	// and NameDLQDepth; a queue that five polls in a row did not read is no
	// longer reported. Optional.
	Depth DepthSource
	// DepthInterval is the polling interval of Depth. Default:
	// DefaultDepthInterval.
	DepthInterval time.Duration
	// DepthTimeout bounds one Depths call. Default: DepthInterval.
	DepthTimeout time.Duration
	// Logger receives failed depth polls, the first panic of a kind of
	// observed source (KMS, Duplicates, Circuits, ...) that starts to
	// panic, and its answering again. Default: discards.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	if c.MeterProvider == nil {
		c.MeterProvider = noop.NewMeterProvider()
	}
	c.InstrumentationScope = cmp.Or(c.InstrumentationScope, sourceflow.InstrumentationScope)
	if c.IsDuplicate == nil {
		c.IsDuplicate = func(msg *message.Message) bool { return msg.Metadata.Get(sourceflow.MetaDuplicate) == "true" }
	}
	c.DepthInterval = cmp.Or(c.DepthInterval, DefaultDepthInterval)
	c.DepthTimeout = cmp.Or(c.DepthTimeout, c.DepthInterval)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every problem of c at once. Zero fields stand for their
// defaults, so the zero Config is valid; New calls Validate.
func (c Config) Validate() error {
	c.setDefaults()
	var errs []error
	invalid := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	if c.DepthInterval <= 0 {
		invalid("DepthInterval: %s, must be above zero", c.DepthInterval)
	}
	if c.DepthTimeout <= 0 || c.DepthTimeout > c.DepthInterval {
		invalid("DepthTimeout: %s, must be above zero and at most DepthInterval (%s)", c.DepthTimeout, c.DepthInterval)
	}
	for _, err := range []error{
		fieldcheck.NoNilEntries("KMS", c.KMS),
		fieldcheck.NoNilEntries("Duplicates", c.Duplicates),
		fieldcheck.NoNilEntries("Circuits", c.Circuits),
		fieldcheck.NoNilEntries("StoreRetries", c.StoreRetries),
		fieldcheck.NoNilEntries("DeadLetters", c.DeadLetters),
		fieldcheck.NoNilEntries("HandlerRetries", c.HandlerRetries),
		fieldcheck.NotTypedNil("MeterProvider", c.MeterProvider),
		fieldcheck.NotTypedNil("Depth", c.Depth),
		fieldcheck.NotTypedNil("Logger", c.Logger),
	} {
		if err != nil {
			invalid("%w", err)
		}
	}
	return errors.Join(errs...)
}
