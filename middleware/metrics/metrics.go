package metrics

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/metric"
)

// Metrics records SourceFlow's OpenTelemetry metrics: a consume-side
// middleware (Middleware), produce-side decorators (PublisherDecorator), and
// observable instruments fed by the Config's sources. One Metrics is safe for
// concurrent use. Call Close when the service stops.
type Metrics struct {
	isDuplicate  func(*message.Message) bool
	consume      consumeInstruments
	commands     produceInstruments
	events       produceInstruments
	relay        *relayInstruments
	registration metric.Registration
	poller       *depthPoller
	attrs        attrCache

	closeOnce sync.Once
	closeErr  error
}

// New creates the instruments of cfg's meter, registers the observable ones
// and, when cfg.Depth is set, starts polling it.
func New(cfg Config) (*Metrics, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	meter := cfg.MeterProvider.Meter(cfg.InstrumentationScope)
	m := &Metrics{isDuplicate: cfg.IsDuplicate}
	var errs [4]error
	m.consume, errs[0] = newConsumeInstruments(meter)
	m.commands, errs[1] = newProduceInstruments(meter, NameCommandDispatched,
		NameCommandDispatchDuration, NameCommandDispatchError, "Commands")
	m.events, errs[2] = newProduceInstruments(meter, NameEventPublished,
		NameEventPublishDuration, NameEventPublishError, "Events")
	m.relay, errs[3] = newRelayInstruments(meter)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("metrics: create instruments: %w", err)
	}
	if cfg.Depth != nil {
		m.poller = newDepthPoller(cfg.Depth, cfg.DepthInterval, cfg.DepthTimeout, cfg.Logger)
	}
	reg, err := registerObservers(meter, sources{kms: cfg.KMS, duplicates: cfg.Duplicates, poller: m.poller,
		circuits: cfg.Circuits, retries: cfg.StoreRetries, deadLetters: cfg.DeadLetters, handlerRetries: cfg.HandlerRetries,
		logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("metrics: register observers: %w", err)
	}
	m.registration = reg
	if m.poller != nil {
		m.poller.start()
	}
	return m, nil
}

// Close stops the depth poller (cancelling a poll in progress and waiting
// for it) and unregisters the observable instruments' callbacks. It is safe
// to call more than once; later calls return the first call's result.
func (m *Metrics) Close() error {
	m.closeOnce.Do(func() {
		if m.poller != nil {
			m.poller.stop()
		}
		if m.registration != nil {
			m.closeErr = m.registration.Unregister()
		}
	})
	return m.closeErr
}
