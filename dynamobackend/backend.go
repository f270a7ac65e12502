package dynamobackend

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/backend"
)

// ErrClosed is returned by Configure, NewService, Idempotency and Check once Close was
// called.
var ErrClosed = errors.New("dynamobackend: backend is closed")

// Backend is the DynamoDB stores of services on one client: the command,
// entity and view stores, the idempotency store and, with Config.Outbox,
// an outbox per service. A handled message's state, its events (through
// the outbox) and its idempotency completion are written by one
// TransactWriteItems. A Backend is safe for concurrent use and may serve
// several services.
type Backend struct {
	store *dynamostore.Store
	idem  *idemdynamo.Store
	b     *backend.Backend
}

// New validates cfg, provisions the tables of the stores and of the
// idempotency store as cfg.Provisioning says, and returns the Backend.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, err := dynamostore.New(ctx, cfg.storeConfig())
	if err != nil {
		return nil, fmt.Errorf("dynamobackend: %w", err)
	}
	idem, err := idemdynamo.New(ctx, cfg.idempotencyConfig())
	if err != nil {
		return nil, fmt.Errorf("dynamobackend: %w", err)
	}
	bcfg := backend.Config{
		Package:     "dynamobackend",
		Stores:      backend.Stores{Commands: st.Commands(), Entities: st.Entities(), Views: st.Views()},
		Idempotency: idem, Closers: []func() error{idem.Close}, ErrClosed: ErrClosed,
	}
	withOutboxAndCheck(&bcfg, cfg, st)
	return &Backend{store: st, idem: idem, b: backend.New(bcfg)}, nil
}

// Configure points cfg at the backend: it sets cfg.CommandStore,
// cfg.EntityStore and cfg.ViewStore and, with Config.Outbox, provisions
// the outbox table and puts an outbox named Config.OutboxPrefix followed
// by cfg.Name in front of cfg.Transport (required then), which the
// Backend's Close closes, closing cfg.Transport with it. Give the
// service's pipeline the middleware of Idempotency. cfg's store fields
// must be unset: a second Configure of one cfg, or one of a cfg with a
// store of its own, is refused. A refused Configure leaves cfg unchanged.
//
// Most programs call NewService instead, which configures and builds the
// service in one call. Configure must run before cqrs.NewService:
// NewService copies its ServiceConfig, so a Configure after it changes
// nothing the service uses, and the service keeps its state in memory.
func (b *Backend) Configure(ctx context.Context, cfg *cqrs.ServiceConfig) error {
	return b.b.Configure(ctx, cfg)
}

// NewService configures cfg as Configure does and returns the service
// cqrs.NewService builds from it: its command, entity and view stores are
// the Backend's and, with Config.Outbox, an outbox is in front of
// cfg.Transport, which the Backend's Close closes with it. It is the one
// call that cannot leave the service on memory stores by a Configure
// made too late. Its errors are Configure's (ErrClosed, stores already
// set, a missing Transport with Config.Outbox) and cqrs.NewService's; an
// outbox Configure put in front of a service that then failed to build
// is closed by the Backend's Close. Give cfg.HandlerMiddleware the
// middleware of Idempotency beforehand.
func (b *Backend) NewService(ctx context.Context, cfg cqrs.ServiceConfig) (*cqrs.Service, error) {
	return b.b.NewService(ctx, cfg)
}

// Idempotency returns a new idempotency middleware on the backend's
// idempotency store, in transactional mode (cfg.Transactional is set), for
// the phase middleware.ConsumeIdempotency of one service's pipeline.
func (b *Backend) Idempotency(cfg idempotency.MiddlewareConfig) (*idempotency.Middleware, error) {
	return b.b.Idempotency(cfg)
}

// Check is a health check of the tables, for a readiness probe: it returns
// nil when each table the Backend uses (Tables: the stores', the
// idempotency store's and, with Config.Outbox, the outbox's once Configure
// provisioned it) exists and is
// ACTIVE, with one DescribeTable per table (the permission the stores need
// already), all at once, each bounded by 10 s and tried once. Otherwise it
// returns every table's error, each naming its table: ErrMissingTable or
// ErrTableNotActive with the remedy, or the request's error (DynamoDB not
// answering, throttling, access denied). A closed Backend returns
// ErrClosed.
func (b *Backend) Check(ctx context.Context) error { return b.b.Check(ctx) }

// Store returns the command, entity and view stores (their tables, retry
// counts and transactions).
func (b *Backend) Store() *dynamostore.Store { return b.store }

// IdempotencyStore returns the idempotency store.
func (b *Backend) IdempotencyStore() *idemdynamo.Store { return b.idem }

// RetryStats sums the throttled requests and transaction conflicts the
// stores and the idempotency store retried, in the shape of
// metrics.StoreRetriesFunc.
func (b *Backend) RetryStats() (throttled, conflicts int64) {
	s, i := b.store.RetryStats(), b.idem.RetryStats()
	return s.Throttled + i.Throttled, s.Conflicts + i.Conflicts
}

// Close closes, once the services are closed, what the Backend opened,
// last opened first: the outboxes (each waiting for its relays, then
// closing the transport it was put in front of), then the idempotency
// store. It returns every error joined; a second Close does nothing. The
// client is the caller's.
func (b *Backend) Close() error { return b.b.Close() }
