package metrics

import (
	"context"
	"errors"

	"github.com/ThreeDotsLabs/watermill"
	"go.opentelemetry.io/otel/metric"
)

// sources are what the observable instruments read.
type sources struct {
	kms        []KMSStatsSource
	duplicates []DuplicateSource
	poller     *depthPoller
	circuits   []CircuitSource
	retries    []StoreRetrySource

	deadLetters    []DeadLetterSource
	handlerRetries []HandlerRetrySource

	logger watermill.LoggerAdapter // receives a source's panic
}

// observable holds the asynchronous instruments and their sources.
type observable struct {
	sources
	panics *panicLog

	kmsCalls, cacheLookups, dupCount   metric.Int64ObservableCounter
	kmsFailedCalls                     metric.Int64ObservableCounter
	storeRetries                       metric.Int64ObservableCounter
	deadLettered                       metric.Int64ObservableCounter
	retryCount, giveUpCount            metric.Int64ObservableCounter
	queueDepth, dlqDepth, circuitState metric.Int64ObservableGauge
}

// registerObservers creates the observable instruments that have a source
// and registers one callback for all of them. It returns a nil Registration
// when there is nothing to observe.
func registerObservers(m metric.Meter, src sources) (metric.Registration, error) {
	o := &observable{sources: src, panics: &panicLog{logger: src.logger}}
	kms, dups, poller := src.kms, src.duplicates, src.poller
	var insts []metric.Observable
	var errs []error
	add := func(inst metric.Observable, err error) {
		insts = append(insts, inst)
		errs = append(errs, err)
	}
	counter, gauge := kept[metric.Int64ObservableCounter](add), kept[metric.Int64ObservableGauge](add)
	if len(kms) > 0 {
		o.kmsCalls = counter(m.Int64ObservableCounter(NameKMSCalls, metric.WithUnit("{call}"),
			metric.WithDescription("KMS requests sent by the encryption phase, by operation")))
		o.cacheLookups = counter(m.Int64ObservableCounter(NameKMSCacheLookups, metric.WithUnit("{lookup}"),
			metric.WithDescription("Data-key cache lookups, by result")))
		o.kmsFailedCalls = counter(m.Int64ObservableCounter(NameKMSFailures, metric.WithUnit("{call}"),
			metric.WithDescription("KMS requests of the encryption phase that failed after their retries, by operation")))
	}
	if len(dups) > 0 {
		o.dupCount = counter(m.Int64ObservableCounter(NameDuplicates, metric.WithUnit("{message}"),
			metric.WithDescription("Messages acknowledged as duplicates without running the handler")))
	}
	if poller != nil {
		o.queueDepth = gauge(m.Int64ObservableGauge(NameQueueDepth, metric.WithUnit("{message}"),
			metric.WithDescription("Messages in a queue, by state, as last polled")))
		o.dlqDepth = gauge(m.Int64ObservableGauge(NameDLQDepth, metric.WithUnit("{message}"),
			metric.WithDescription("Messages in a dead-letter queue, by state, as last polled")))
	}
	if len(src.circuits) > 0 {
		o.circuitState = gauge(m.Int64ObservableGauge(NameCircuitState, metric.WithUnit("{state}"),
			metric.WithDescription("Publish circuit breaker state per destination: 0 closed, 1 half-open, 2 open")))
	}
	if len(src.retries) > 0 {
		o.storeRetries = counter(m.Int64ObservableCounter(NameStoreRetries, metric.WithUnit("{request}"),
			metric.WithDescription("Store requests throttled or refused for a transaction conflict, by reason")))
	}
	o.createFailureCounters(m, counter)
	if err := errors.Join(errs...); err != nil || len(insts) == 0 {
		return nil, err
	}
	return m.RegisterCallback(o.observe, insts...)
}

// createFailureCounters creates, through counter, the instruments of the
// dead-letter and handler-retry sources that are set.
func (o *observable) createFailureCounters(m metric.Meter, counter func(metric.Int64ObservableCounter, error) metric.Int64ObservableCounter) {
	if len(o.deadLetters) > 0 {
		o.deadLettered = counter(m.Int64ObservableCounter(NameDeadLetters, metric.WithUnit("{message}"),
			metric.WithDescription("Messages a transport dead-lettered, by destination")))
	}
	if len(o.handlerRetries) > 0 {
		o.retryCount = counter(m.Int64ObservableCounter(NameHandlerRetries, metric.WithUnit("{retry}"),
			metric.WithDescription("Handler runs after a failed run of the same delivery")))
		o.giveUpCount = counter(m.Int64ObservableCounter(NameHandlerGiveUps, metric.WithUnit("{message}"),
			metric.WithDescription("Deliveries whose error the retry middleware returned once it stopped retrying")))
	}
}

// kept passes an instrument and its creation error to add and returns the
// instrument.
func kept[I metric.Observable](add func(metric.Observable, error)) func(I, error) I {
	return func(inst I, err error) I {
		add(inst, err)
		return inst
	}
}

// observe reports every source's values. A source's panic fails its own
// observation only (panicLog.guard); the depth poller recovers its own.
func (o *observable) observe(_ context.Context, obs metric.Observer) error {
	guard := o.panics.guard
	if len(o.kms) > 0 {
		guard("KMS stats", func() { o.observeKMS(obs) })
	}
	if len(o.duplicates) > 0 {
		guard("duplicates", func() { o.observeDuplicates(obs) })
	}
	if o.poller != nil {
		o.observeDepths(obs)
	}
	if len(o.circuits) > 0 {
		guard("circuits", func() { o.observeCircuits(obs) })
	}
	if len(o.retries) > 0 {
		guard("store retries", func() { o.observeStoreRetries(obs) })
	}
	if len(o.deadLetters) > 0 {
		guard("dead letters", func() { o.observeDeadLetters(obs) })
	}
	if len(o.handlerRetries) > 0 {
		guard("handler retries", func() { o.observeHandlerRetries(obs) })
	}
	return nil
}

func (o *observable) observeDuplicates(obs metric.Observer) {
	var total int64
	for _, s := range o.duplicates {
		total += s.Duplicates()
	}
	obs.ObserveInt64(o.dupCount, total)
}

func (o *observable) observeStoreRetries(obs metric.Observer) {
	var throttled, conflicts int64
	for _, s := range o.retries {
		t, c := s.StoreRetries()
		throttled, conflicts = throttled+t, conflicts+c
	}
	obs.ObserveInt64(o.storeRetries, throttled, metric.WithAttributes(AttrRetryReason.String("throttled")))
	obs.ObserveInt64(o.storeRetries, conflicts, metric.WithAttributes(AttrRetryReason.String("conflict")))
}

func (o *observable) observeKMS(obs metric.Observer) {
	var sum KMSCounts
	for _, s := range o.kms {
		c := s.KMSStats()
		sum.GenerateDataKey, sum.Decrypt = sum.GenerateDataKey+c.GenerateDataKey, sum.Decrypt+c.Decrypt
		sum.DescribeKey += c.DescribeKey
		sum.CacheHits, sum.CacheMisses = sum.CacheHits+c.CacheHits, sum.CacheMisses+c.CacheMisses
		sum.GenerateDataKeyFailures += c.GenerateDataKeyFailures
		sum.DecryptFailures += c.DecryptFailures
		sum.DescribeKeyFailures += c.DescribeKeyFailures
	}
	for _, op := range []struct {
		name          string
		calls, failed int64
	}{
		{"GenerateDataKey", sum.GenerateDataKey, sum.GenerateDataKeyFailures},
		{"Decrypt", sum.Decrypt, sum.DecryptFailures},
		{"DescribeKey", sum.DescribeKey, sum.DescribeKeyFailures},
	} {
		attr := metric.WithAttributes(AttrKMSOperation.String(op.name))
		obs.ObserveInt64(o.kmsCalls, op.calls, attr)
		obs.ObserveInt64(o.kmsFailedCalls, op.failed, attr)
	}
	obs.ObserveInt64(o.cacheLookups, sum.CacheHits, metric.WithAttributes(AttrCacheResult.String("hit")))
	obs.ObserveInt64(o.cacheLookups, sum.CacheMisses, metric.WithAttributes(AttrCacheResult.String("miss")))
}

func (o *observable) observeDepths(obs metric.Observer) {
	for _, d := range o.poller.snapshot() {
		gauge := o.queueDepth
		if d.DLQ {
			gauge = o.dlqDepth
		}
		queue := AttrDestination.String(d.Queue)
		obs.ObserveInt64(gauge, d.Visible, metric.WithAttributes(queue, AttrMessageState.String("visible")))
		obs.ObserveInt64(gauge, d.InFlight, metric.WithAttributes(queue, AttrMessageState.String("in_flight")))
	}
}
