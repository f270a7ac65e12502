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
// process shares.
type stores struct {
	commands cqrs.CommandStore // nil: each service keeps its own in memory
	entities cqrs.EntityStore
	views    cqrs.ViewStore
	// idem is the shared idempotency store on the same database, run in
	// transactional mode; nil: each pipeline keeps its own in memory.
	idem idempotency.Store
	kind string // names the shared store in the pipeline: "sql" or "dynamodb"
	// retries reports the throttled requests and transaction conflicts of
	// the DynamoDB stores, for the metrics; nil for the others.
	retries metrics.StoreRetriesFunc
	// outbox puts the store's transactional outbox in front of a service's
	// transport (-store dynamodb); nil for the others.
	outbox func(service string, inner cqrs.Transport) (cqrs.Transport, error)
	// health checks the store for /healthz (-store dynamodb); nil for the
	// others.
	health healthFunc
	close  func() error
}

// openStores opens the store -store names. -write-topology runs nothing, so
// it opens no store: it only names the store's tables (storeTables).
func openStores(ctx context.Context, opts options) (*stores, error) {
	if opts.topologyDir != "" {
		return &stores{kind: "memory", close: func() error { return nil }}, nil
	}
	switch opts.store {
	case "memory":
		return &stores{kind: "memory", close: func() error { return nil }}, nil
	case "dynamodb":
		return openDynamoStores(ctx, opts)
	}
	return openSQLStores(ctx, opts)
}

// withOutbox puts the store's outbox, when it has one, in front of each
// service's transport: a saga's new state, the events it raises and the
// idempotency completion are then written together, and the events go out
// once that write committed. The outbox's dead-letter counts join the
// service's metrics beside the inner transport's.
func (s *stores) withOutbox(tr *transports, closers *closers) error {
	if s.outbox == nil {
		return nil
	}
	for service, w := range map[string]*wiring{"payments": &tr.payments, "orders": &tr.orders} {
		o, err := s.outbox(service, w.transport)
		if err != nil {
			return err
		}
		closers.add(o.Close)
		w.transport = o
		if src, ok := o.(metrics.DeadLetterSource); ok {
			w.deadLetters = append(w.deadLetters, src)
		}
	}
	return nil
}

// configure points a service at the stores.
func (s *stores) configure(cfg *cqrs.ServiceConfig) {
	cfg.CommandStore, cfg.EntityStore, cfg.ViewStore = s.commands, s.entities, s.views
}

// idempotency returns the idempotency middleware of one service's pipeline,
// keeping completed records for ttl (0: the default), and what closes it.
func (s *stores) idempotency(ttl time.Duration) (*idempotency.Middleware, func() error, error) {
	if s.idem != nil {
		m, err := idempotency.NewMiddleware(s.idem, idempotency.MiddlewareConfig{Transactional: true, TTL: ttl})
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
