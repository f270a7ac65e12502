package sqlbackend

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/backend"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// ErrClosed is returned by Configure, NewService, Idempotency and Check once Close was
// called.
var ErrClosed = errors.New("sqlbackend: backend is closed")

// The errors of Check, besides ErrClosed and ErrInvalidConfig.
var (
	// ErrUnreachable is returned by Check when the database does not
	// answer within Config.ConnectTimeout; it is sqlstore.ErrUnreachable.
	ErrUnreachable = sqlstore.ErrUnreachable
	// ErrMissingTable is returned by Check when a table of the stores is
	// not in the database. It is one value with
	// dynamobackend.ErrMissingTable.
	ErrMissingTable = backend.ErrMissingTable
)

// Backend is the SQL stores of services on one *sql.DB: the command,
// entity and view stores, the idempotency store and, with Config.Outbox,
// an outbox per service. They share the pool, so a handled message's
// state, the commands it sent, its events (through the outbox) and its
// idempotency record commit in one transaction. A Backend is safe for
// concurrent use and may serve several services.
type Backend struct {
	store *sqlstore.Store
	idem  *idemsql.Store
	b     *backend.Backend
}

// Open validates cfg, opens the database from cfg.DSN (or takes cfg.DB),
// creates or migrates the tables of the SQL stores and the idempotency
// store, and returns the Backend. What Open opened is closed again when it
// fails.
func Open(ctx context.Context, cfg Config) (*Backend, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var st *sqlstore.Store
	var err error
	if cfg.DB != nil {
		st, err = sqlstore.New(ctx, cfg.DB, cfg.storeConfig())
	} else {
		st, err = sqlstore.Open(ctx, cfg.storeConfig())
	}
	if err != nil {
		return nil, fmt.Errorf("sqlbackend: %w", err)
	}
	if cfg.DSN != "" { // the idempotency store's link check reads the DSN (see the package documentation)
		ctx = sqldb.WithOpenedFrom(ctx, st.DB(), cfg.DSN)
	}
	idem, err := idemsql.New(ctx, st.DB(), cfg.idempotencyConfig())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlbackend: %w", err), st.Close())
	}
	boxes := &boundOutboxes{}
	bcfg := backend.Config{
		Package:     "sqlbackend",
		Stores:      backend.Stores{Commands: st.Commands(), Entities: st.Entities(), Views: st.Views()},
		Idempotency: idem, Closers: []func() error{st.Close, idem.Close}, ErrClosed: ErrClosed,
		Check: func(ctx context.Context) error {
			err := sqldb.Check(ctx, st.DB(), cfg.Dialect, cfg.DSN, cfg.checkTimeout(),
				sqldb.Tables{Names: append(st.Tables(), cfg.idempotencyConfig().Table)}, boxes.tables())
			return backend.Mark(err, sqldb.ErrMissingTable, ErrMissingTable)
		},
	}
	if cfg.Outbox {
		bcfg.Outbox = func(_ context.Context, _ string, inner cqrs.Transport) (cqrs.Transport, error) {
			box, err := outbox.New(outbox.Config{DB: st.DB(), Dialect: cfg.Dialect, Transport: inner, Logger: cfg.Logger})
			if err != nil {
				return nil, err
			}
			return &checkedOutbox{Transport: box, boxes: boxes}, nil
		}
	}
	return &Backend{store: st, idem: idem, b: backend.New(bcfg)}, nil
}

// Configure points cfg at the backend: it sets cfg.CommandStore,
// cfg.EntityStore and cfg.ViewStore and, with Config.Outbox, puts an
// outbox in front of cfg.Transport (required then), which the Backend's
// Close closes, closing cfg.Transport with it. The outbox's tables are
// named after cfg.Name (outbox.TopicFor), at its first Bind. The outbox
// in cfg.Transport then has the methods of an *outbox.Transport (Inner,
// DeadLettersByDestination, PublishesInTransaction) but is not one: its
// Bind also has Check look for the tables it made. Give the
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

// Check is a health check of the database, for a readiness probe: it
// returns nil when the pool answers Open's connection check (a ping; a
// statement on MySQL) and the stores' tables (the
// command, entity and view stores' and the idempotency store's) are there,
// both within Config.ConnectTimeout (default 10 s) or ctx's deadline, if
// earlier; it reads no row. Otherwise its error names the cause: the
// database not answering (ErrUnreachable), refusing the DSN's account
// (ErrInvalidConfig), missing tables (ErrMissingTable, naming every
// missing table and the remedy) or, none of these, every connection of the pool in use
// until the bound (the error says so). With Config.Outbox, the tables of
// a service's outbox (outbox.Tables: its rows', its dead letters', their
// offsets' and its held rows')
// are checked from the outbox's first Bind that succeeded, which makes
// them: before, they need not be there, and the outbox writes no row. A
// closed Backend returns ErrClosed.
func (b *Backend) Check(ctx context.Context) error { return b.b.Check(ctx) }

// Store returns the command, entity and view stores (Store.DB is the pool,
// Store.WithinTx a transaction on it).
func (b *Backend) Store() *sqlstore.Store { return b.store }

// IdempotencyStore returns the idempotency store.
func (b *Backend) IdempotencyStore() *idemsql.Store { return b.idem }

// Close closes, once the services are closed, what the Backend opened,
// last opened first: the outboxes (each closing the transport it was put
// in front of), the idempotency store, then the pool when Open opened it
// from Config.DSN. It returns every error joined; a second Close does
// nothing.
func (b *Backend) Close() error { return b.b.Close() }
