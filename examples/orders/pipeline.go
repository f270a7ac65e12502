package main

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

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
// Retry → handler, and Correlation → Tracing → Encrypt → Metrics → circuit
// breaker → transport.
func newPipeline(obs *observability, systems tracing.Config, w wiring, st *stores) (*pipeline, error) {
	p := &pipeline{stack: middleware.NewStack()}
	systems.TracerProvider = obs.tracerProvider()
	tr, err := tracing.New(systems)
	if err != nil {
		return nil, err
	}
	// With encryption, a replayed message stays a duplicate until the
	// Decrypter refuses it as too old.
	var ttl time.Duration
	if w.enc != nil {
		ttl = encryption.DefaultMaxAge + encryption.DefaultMaxClockSkew
	}
	idem, closeIdem, err := st.idempotency(ttl)
	if err != nil {
		return nil, err
	}
	p.idem = idem
	p.closers = append(p.closers, closeIdem)
	retry, err := middleware.NewRetrier(middleware.RetryConfig{})
	if err != nil {
		return nil, errors.Join(err, p.close())
	}
	m, err := newMetrics(obs, w, p.idem, retry, st)
	if err != nil {
		return nil, errors.Join(err, p.close())
	}
	p.closers = append(p.closers, m.Close)
	if err := p.place(tr, m, retry.Middleware, idemName(st), w); err != nil {
		return nil, errors.Join(fmt.Errorf("pipeline: %w", err), p.close())
	}
	return p, nil
}

// place puts the pieces in the stack; the phases fix their order.
func (p *pipeline) place(tr *tracing.Tracing, m *metrics.Metrics, retry message.HandlerMiddleware, idem string, w wiring) error {
	steps := []middleware.Step{
		{Name: "recover", Consume: middleware.ConsumeRecover, Middleware: middleware.Recover},
		{Name: "tracing", Consume: middleware.ConsumeTracing, Middleware: tr.Middleware, Produce: middleware.ProduceTracing, Decorator: tr.DecoratePublisher},
		{Name: "correlation", Produce: middleware.ProduceCorrelation, Decorator: middleware.CorrelatePublisher},
		{Name: "metrics", Consume: middleware.ConsumeMetrics, Middleware: m.Middleware, Produce: middleware.ProduceMetrics, Decorator: m.DecoratePublisher},
		{Name: idem, Consume: middleware.ConsumeIdempotency, Middleware: p.idem.Middleware},
		{Name: "retry", Consume: middleware.ConsumeRetry, Middleware: retry},
	}
	if err := p.stack.Add(steps...); err != nil {
		return err
	}
	if w.enc != nil {
		if err := encryption.Use(p.stack, w.enc, w.dec); err != nil {
			return err
		}
	}
	// The breaker goes innermost: metrics counts its rejections as errors,
	// and it sees the transport's failures only, not encryption's.
	return errors.Join(p.stack.Insert("tracing", middleware.Before, "correlation", middleware.Correlation),
		p.stack.InsertDecorator("metrics", middleware.After, "circuit-breaker", w.breaker.DecoratePublisher))
}

// newMetrics builds the service's metrics: the message instruments, plus
// duplicates, handler retries, queue depths, dead letters, KMS calls and
// store retries where the service has them.
func newMetrics(obs *observability, w wiring, idem *idempotency.Middleware, retry *middleware.Retrier, st *stores) (*metrics.Metrics, error) {
	cfg := metrics.Config{
		MeterProvider: obs.meterProvider(),
		Duplicates:    []metrics.DuplicateSource{metrics.DuplicatesFunc(func() int64 { return count64(idem.Stats().Duplicates) })},
		HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(func() (int64, int64) {
			s := retry.Stats()
			return s.Retries, s.GaveUp
		})},
		Circuits:      []metrics.CircuitSource{w.breaker},
		Depth:         w.depth,
		DepthInterval: 5 * time.Second,
	}
	cfg.DeadLetters = w.deadLetters
	if w.enc != nil {
		cfg.KMS = []metrics.KMSStatsSource{kmsStats(w.enc.Stats), kmsStats(w.dec.Stats)}
	}
	if st.retries != nil {
		cfg.StoreRetries = []metrics.StoreRetrySource{st.retries}
	}
	return metrics.New(cfg)
}

// kmsStats adapts an Encrypter's or Decrypter's counters to the metrics
// package.
func kmsStats(stats func() encryption.Stats) metrics.KMSStatsFunc {
	return func() metrics.KMSCounts {
		st := stats()
		return metrics.KMSCounts{
			GenerateDataKey: st.GenerateDataKeyCalls, Decrypt: st.DecryptCalls, DescribeKey: st.DescribeKeyCalls,
			CacheHits: st.CacheHits, CacheMisses: st.CacheMisses,
			GenerateDataKeyFailures: st.GenerateDataKeyFailures, DecryptFailures: st.DecryptFailures,
			DescribeKeyFailures: st.DescribeKeyFailures,
		}
	}
}

// idemName names the idempotency middleware after its store.
func idemName(st *stores) string { return st.kind }

// count64 is the counter n as an int64, saturating at math.MaxInt64.
func count64(n uint64) int64 { return int64(min(n, math.MaxInt64)) }
