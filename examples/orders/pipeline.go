package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// pipeline is one service's middleware stack and what must be closed with it.
type pipeline struct {
	stack   *middleware.Stack
	idem    *idempotency.Middleware
	closers []func() error
}

func (p *pipeline) close() error {
	var errs []error
	for _, c := range p.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// newPipeline builds the service's consume and produce pipelines in the
// design's phase order: Recover → Tracing → Metrics → Idempotency → Decrypt →
// Retry → handler, and Correlation → Tracing → Encrypt → Metrics → transport.
func newPipeline(obs *observability, system string, w wiring, st *stores) (*pipeline, error) {
	p := &pipeline{stack: middleware.NewStack()}
	tr, err := tracing.New(tracing.Config{TracerProvider: obs.tracerProvider(), MessagingSystem: system})
	if err != nil {
		return nil, err
	}
	idem, closeIdem, err := st.idempotency()
	if err != nil {
		return nil, err
	}
	p.idem = idem
	p.closers = append(p.closers, closeIdem)
	retry, err := middleware.NewRetry(middleware.RetryConfig{})
	if err != nil {
		return nil, errors.Join(err, p.close())
	}
	m, err := newMetrics(obs, w, p.idem)
	if err != nil {
		return nil, errors.Join(err, p.close())
	}
	p.closers = append(p.closers, m.Close)
	s := p.stack
	err = errors.Join(
		s.Use(middleware.ConsumeRecover, "recover", middleware.Recover),
		s.Use(middleware.ConsumeTracing, "correlation", middleware.Correlation),
		s.Use(middleware.ConsumeTracing, "otel", tr.Middleware),
		s.Use(middleware.ConsumeMetrics, "otel", m.Middleware),
		s.Use(middleware.ConsumeIdempotency, idemName(st), p.idem.Middleware),
		s.Use(middleware.ConsumeRetry, "retry", retry),
		s.Decorate(middleware.ProduceCorrelation, "correlation", middleware.CorrelatePublisher),
		s.Decorate(middleware.ProduceTracing, "otel", tr.DecoratePublisher),
		s.Decorate(middleware.ProduceMetrics, "otel", m.PublisherDecorator(0)),
	)
	if err == nil && w.enc != nil {
		err = errors.Join(
			s.Use(middleware.ConsumeDecrypt, "kms", w.dec.Middleware),
			s.Decorate(middleware.ProduceEncrypt, "kms", w.enc.Decorate),
		)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("pipeline: %w", err), p.close())
	}
	return p, nil
}

// newMetrics builds the service's metrics: the message instruments, plus
// duplicates, queue depths and KMS calls where the service has them.
func newMetrics(obs *observability, w wiring, idem *idempotency.Middleware) (*metrics.Metrics, error) {
	cfg := metrics.Config{
		MeterProvider: obs.meterProvider(),
		Duplicates:    []metrics.DuplicateSource{metrics.DuplicatesFunc(func() int64 { return int64(idem.Stats().Duplicates) })},
		Depth:         w.depth,
		DepthInterval: 5 * time.Second,
	}
	if w.enc != nil {
		cfg.KMS = []metrics.KMSStatsSource{kmsStats(w.enc.Stats), kmsStats(w.dec.Stats)}
	}
	return metrics.New(cfg)
}

// kmsStats adapts an Encrypter's or Decrypter's counters to the metrics
// package.
func kmsStats(stats func() encryption.Stats) metrics.KMSStatsFunc {
	return func() (generateDataKey, decrypt, hits, misses int64) {
		st := stats()
		return st.GenerateDataKeyCalls, st.DecryptCalls, st.CacheHits, st.CacheMisses
	}
}

// idemName names the idempotency middleware after its store.
func idemName(st *stores) string {
	if st.idem != nil {
		return "sql"
	}
	return "memory"
}
