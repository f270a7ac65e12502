//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// outagePatience bounds how long the commands of an outage test take to be
// handled once the database is back.
const outagePatience = 60 * time.Second

// outageCause matches what the drivers report of a connection the outage
// closed or refused.
const outageCause = `connection refused|connect|conn closed|bad connection|EOF`

// proxiedDB opens the database of d (its DSN named by env) through a fault
// proxy, closed after the test, and returns it with the proxy.
func proxiedDB(t *testing.T, d sourceflow.Dialect, env string) (*sql.DB, *faultProxy) {
	t.Helper()
	dsn := os.Getenv(env)
	require.NotEmpty(t, dsn, "%s is not set; run `make test` (it starts the %s database)", env, d)
	var proxy *faultProxy
	if d == sourceflow.MySQL {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err, env)
		proxy = newFaultProxy(t, string(d), cfg.Addr)
		cfg.Addr = proxy.addr()
		dsn = cfg.FormatDSN()
	} else {
		u, err := url.Parse(dsn)
		require.NoError(t, err, env)
		require.True(t, u.Host != "" && !u.Query().Has("host"), "%s must be a URL naming host:port: %s", env, dsn)
		proxy = newFaultProxy(t, string(d), u.Host)
		u.Host = proxy.addr()
		dsn = u.String()
	}
	db, err := sql.Open(d.DriverName(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	return db, proxy
}

// TestSQLBusDatabaseOutageLosesNothing cuts a running service off its
// database (every connection closed, new ones refused) and brings it back:
// a send during the outage fails with an error naming the destination and
// the cause, one a retry may cure; the commands sent before the outage (the
// first in its handler, the others still unconsumed, when it began) and
// those sent after it are all handled, each applied once however often it
// is delivered again.
func TestSQLBusDatabaseOutageLosesNothing(t *testing.T) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			t.Parallel()
			d, direct := tc.dialect, sqlbusDB(t, tc.dialect, tc.env)
			db, proxy := proxiedDB(t, d, tc.env)
			queue := sqlbusName("outage", "")
			dropSQLBusTables(t, d, direct, queue)
			runs := &ledger{}
			svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "outage-worker", Listen: []string{queue},
				HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
			begun := make(chan struct{}) // closed once the outage began
			saga := payOrders(t, svc, queue, runs, func(env cqrs.Envelope) {
				if strings.HasPrefix(env.EntityID, "before-") {
					<-begun // the first command is in hand when the outage begins
				}
			})
			startModel(t, svc)

			agg, ctx := cqrs.NewAggregate(svc, "payment"), context.Background()
			var sent []string
			// send sends as a client does that may meet the outage's end: with
			// an idempotency key, again after an error a retry may cure.
			send := func(entity string) {
				keyed := cqrs.ContextWithIdempotencyKey(ctx, entity)
				var env cqrs.Envelope
				var err error
				require.Eventually(t, func() bool {
					env, err = agg.Send(keyed, entity, PayOrder{Amount: 1})
					return err == nil || sourceflow.IsPermanent(err)
				}, outagePatience, 20*time.Millisecond, "send %s", entity)
				require.NoError(t, err, "send %s: a permanent error, no retry cures it", entity)
				sent = append(sent, env.MessageID)
			}
			for i := range 20 {
				send(fmt.Sprintf("before-%d", i))
			}
			proxy.refuse()
			close(begun)
			_, err := agg.Send(ctx, "during", PayOrder{Amount: 1})
			require.Error(t, err, "a send without a database fails")
			assert.Contains(t, err.Error(), queue, "the error names the destination")
			assert.Regexp(t, outageCause, err.Error(), "the error names the cause")
			assert.False(t, sourceflow.IsPermanent(err), "an outage may pass: the send may be tried again")
			t.Logf("send during the outage: %v", err)
			proxy.restore(t)
			for i := range 20 {
				send(fmt.Sprintf("after-%d", i))
			}

			assertOutageLostNothing(t, svc, saga, runs, sent)
		})
	}
}
