package main

import (
	"context"
	"errors"
	"time"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// stores is where the services keep commands, saga state, view models and
// idempotency records: in memory (every service its own, nothing shared), or
// in one SQL database or one set of DynamoDB tables that every service and
// process shares (sqlbackend, dynamobackend).
type stores struct {
	backend backend // nil: each service keeps its own in memory
	kind    string  // names the shared store in the pipeline: "sql" or "dynamodb"
	// retries reports the throttled requests and transaction conflicts of
	// the DynamoDB stores, for the metrics; nil for the others.
	retries metrics.StoreRetriesFunc
	// health checks the shared store for /healthz (its backend's Check);
	// nil for the memory stores.
	health healthFunc
}

// backend is what sqlbackend.Backend and dynamobackend.Backend share.
type backend interface {
	Configure(ctx context.Context, cfg *cqrs.ServiceConfig) error
	Idempotency(cfg idempotency.MiddlewareConfig) (*idempotency.Middleware, error)
	Check(ctx context.Context) error
	Close() error
}

// openStores opens the store -store names; with outbox, the DynamoDB store
// puts its outbox in front of each service it configures. -write-topology
// runs nothing, so it opens no store: it only names the store's tables
// (storeTables).
func openStores(ctx context.Context, opts options, outbox bool) (*stores, error) {
	if opts.topologyDir != "" {
		return &stores{kind: "memory"}, nil
	}
	switch opts.store {
	case "memory":
		return &stores{kind: "memory"}, nil
	case "dynamodb":
		return openDynamoStores(ctx, opts, outbox)
	}
	return openSQLStores(ctx, opts)
}

func (s *stores) close() error {
	if s.backend == nil {
		return nil
	}
	return s.backend.Close()
}

// configure points a service at the stores and, when the store has an
// outbox, puts it in front of cfg.Transport: a saga's new state, the events
// it raises and the idempotency completion are then written together, and
// the events go out once that write committed.
func (s *stores) configure(ctx context.Context, cfg *cqrs.ServiceConfig) error {
	if s.backend == nil {
		return nil
	}
	return s.backend.Configure(ctx, cfg)
}

// configureAll configures the payments and orders services' stores; an
// outbox's dead-letter counts join the service's metrics beside the inner
// transport's.
func (s *stores) configureAll(ctx context.Context, tr *transports) error {
	for service, w := range map[string]*wiring{"payments": &tr.payments, "orders": &tr.orders} {
		inner := w.transport
		w.base = cqrs.ServiceConfig{Name: service, Transport: inner}
		if err := s.configure(ctx, &w.base); err != nil {
			return err
		}
		w.transport = w.base.Transport
		if src, ok := w.transport.(metrics.DeadLetterSource); ok && w.transport != inner {
			w.deadLetters = append(w.deadLetters, src)
		}
	}
	return nil
}

// idempotency returns the idempotency middleware of one service's pipeline,
// keeping completed records for ttl (0: the default), and what closes it.
func (s *stores) idempotency(ttl time.Duration) (*idempotency.Middleware, func() error, error) {
	if s.backend != nil {
		m, err := s.backend.Idempotency(idempotency.MiddlewareConfig{TTL: ttl})
		return m, func() error { return nil }, err
	}
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	if err != nil {
		return nil, nil, err
	}
	m, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{TTL: ttl})
	if err != nil {
		return nil, nil, errors.Join(err, store.Close())
	}
	return m, store.Close, nil
}
