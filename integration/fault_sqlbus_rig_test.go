//go:build integration

package integration

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	cqrssql "github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// faultRig is one service run as two instances, each with its own pool to
// the database through one fault proxy, on sqlbus with the SQL stores and
// the SQL idempotency store (transactional): the deployment the fault
// tests break.
type faultRig struct {
	d      sourceflow.Dialect
	direct *sql.DB
	proxy  *faultProxy
	freeze *freezeProxy
	queue  string
	insts  []*faultInstance
	mu     sync.Mutex
	runs   map[string]int      // handler runs by entity (committed or not)
	check  *cqrs.Saga[Payment] // the saga read through a pool of its own, no fault on it
}

// faultInstance is one instance: its pool, stores, transport and service.
type faultInstance struct {
	db    *sql.DB
	store *cqrssql.Store
	tr    *cqrs.PubSubTransport
	svc   *cqrs.Service
	saga  *cqrs.Saga[Payment]
}

// proxiedDSN starts a fault proxy before the database of d and returns the
// DSN that goes through it.
func proxiedDSN(t *testing.T, d sourceflow.Dialect, env string) (string, *faultProxy, *freezeProxy) {
	t.Helper()
	dsn := os.Getenv(env)
	require.NotEmpty(t, dsn, env)
	if d == sourceflow.MySQL {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err, env)
		p := newFaultProxy(t, string(d), cfg.Addr)
		fz := newFreezeProxy(t, p.addr())
		cfg.Addr = fz.addr()
		return cfg.FormatDSN(), p, fz
	}
	u, err := url.Parse(dsn)
	require.NoError(t, err, env)
	p := newFaultProxy(t, string(d), u.Host)
	fz := newFreezeProxy(t, p.addr())
	u.Host = fz.addr()
	return u.String(), p, fz
}

// newFaultRig starts two instances of service "fault-worker" on d, each
// pool at most maxConns connections.
func newFaultRig(t *testing.T, d sourceflow.Dialect, env string, maxConns int, busCfg func(*sqlbus.Config)) *faultRig {
	t.Helper()
	r := newUnstartedFaultRig(t, d, env, maxConns, busCfg)
	for _, in := range r.insts {
		startModel(t, in.svc)
	}
	return r
}

// newUnstartedFaultRig is newFaultRig with the instances not started.
func newUnstartedFaultRig(t *testing.T, d sourceflow.Dialect, env string, maxConns int, busCfg func(*sqlbus.Config)) *faultRig {
	t.Helper()
	r := &faultRig{d: d, direct: sqlbusDB(t, d, env), queue: sqlbusName("fault", ""), runs: map[string]int{}}
	dropSQLBusTables(t, d, r.direct, r.queue)
	prefix := strings.ReplaceAll(uniqueName("sff", ""), "-", "_") + "_"
	t.Cleanup(func() {
		for _, s := range []string{"sequences", "commands", "entities", "views", "schema_version", "idem", "idem_version"} {
			_, err := r.direct.Exec("DROP TABLE IF EXISTS " + quoteIdent(d, prefix+s))
			assert.NoError(t, err)
		}
	})
	dsn, proxy, fz := proxiedDSN(t, d, env)
	r.proxy, r.freeze = proxy, fz
	for range 2 {
		db, err := sql.Open(d.DriverName(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		db.SetMaxOpenConns(maxConns)
		r.insts = append(r.insts, r.newInstance(t, db, prefix, busCfg))
	}
	r.check = r.checker(t, prefix)
	return r
}

func (r *faultRig) newInstance(t *testing.T, db *sql.DB, prefix string, busCfg func(*sqlbus.Config)) *faultInstance {
	t.Helper()
	ctx := context.Background()
	in := &faultInstance{db: db}
	var err error
	in.store, err = cqrssql.New(ctx, db, cqrssql.Config{Dialect: r.d, TablePrefix: prefix})
	require.NoError(t, err)
	idem, err := idemsql.New(ctx, db, idemsql.Config{Dialect: r.d, Table: prefix + "idem"})
	require.NoError(t, err)
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(t, err)
	cfg := sqlbusConfig(r.d, db)
	cfg.MaxDeliveries = 10
	if busCfg != nil {
		busCfg(&cfg)
	}
	in.tr, err = sqlbus.NewTransport(cfg)
	require.NoError(t, err)
	in.svc, err = cqrs.NewService(cqrs.ServiceConfig{Name: "fault-worker", Transport: in.tr, Listen: []string{r.queue},
		CommandStore: in.store.Commands(), EntityStore: in.store.Entities(), ViewStore: in.store.Views(),
		CloseTimeout: 2 * time.Second, HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = in.svc.Close(); _ = in.tr.Close() })
	require.NoError(t, cqrs.RegisterCommand[PayOrder](in.svc, "model.PayOrder", r.queue))
	in.saga = cqrs.NewSaga[Payment](in.svc, "payment")
	require.NoError(t, cqrs.Handle(in.saga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
		r.mu.Lock()
		r.runs[env.EntityID]++
		r.mu.Unlock()
		s.Amount += c.Amount
		s.Commands++
		return nil, nil
	}))
	return in
}

// send sends PayOrder{1} to entity through instance i, as a client that may
// meet a fault does: with an idempotency key, again after an error a retry
// may cure, each attempt bounded by 5s. It returns the errors it met.
func (r *faultRig) send(t *testing.T, i int, entity string) []error {
	t.Helper()
	agg := cqrs.NewAggregate(r.insts[i].svc, "payment")
	var errs []error
	deadline := time.Now().Add(outagePatience)
	for {
		ctx, cancel := context.WithTimeout(cqrs.ContextWithIdempotencyKey(context.Background(), entity), 5*time.Second)
		_, err := agg.Send(ctx, entity, PayOrder{Amount: 1})
		cancel()
		if err == nil {
			return errs
		}
		errs = append(errs, err)
		if sourceflow.IsPermanent(err) || time.Now().After(deadline) {
			t.Errorf("send %s: gave up (permanent=%v): %v", entity, sourceflow.IsPermanent(err), err)
			return errs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// assertEachOnce waits until every entity's payment is stored with one
// command applied, reading through the direct pool's store.
func (r *faultRig) assertEachOnce(t *testing.T, entities []string) {
	t.Helper()
	for _, e := range entities {
		p := storedPayment(t, r.check, e)
		assert.Equal(t, Payment{Amount: 1, Commands: 1}, p, "%s applied once", e)
	}
}

// checker is the payment saga of a service (never started) on the direct
// pool, to read what the instances stored.
func (r *faultRig) checker(t *testing.T, prefix string) *cqrs.Saga[Payment] {
	t.Helper()
	store, err := cqrssql.New(context.Background(), r.direct, cqrssql.Config{Dialect: r.d, TablePrefix: prefix, SkipMigrations: true})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "fault-checker", Transport: r.insts[0].tr,
		CommandStore: store.Commands(), EntityStore: store.Entities(), ViewStore: store.Views()})
	require.NoError(t, err)
	return cqrs.NewSaga[Payment](svc, "payment")
}
