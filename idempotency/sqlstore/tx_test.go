package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// ledger is a handler that writes one row per run into a side table through
// the transaction in the message context, and fails on demand after writing.
type ledger struct {
	table string
	ph    string // the dialect's first placeholder
	mu    sync.Mutex
	fail  int
	runs  int
}

func (l *ledger) handle(msg *message.Message) ([]*message.Message, error) {
	tx := sqlstore.TxFromContext(msg.Context())
	if tx == nil {
		return nil, errors.New("no transaction in the message context")
	}
	if _, err := tx.ExecContext(msg.Context(), "INSERT INTO "+l.table+" (id) VALUES ("+l.ph+")",
		msg.Metadata.Get(sourceflow.MetaMessageID)); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs++
	if l.fail > 0 {
		l.fail--
		return nil, errors.New("handler failed after writing")
	}
	return nil, nil
}

func newLedger(t *testing.T, s *sqlstore.Store, d sourceflow.Dialect) *ledger {
	l := &ledger{table: uniqueTable(), ph: "?"}
	if d == sourceflow.Postgres {
		l.ph = "$1"
	}
	_, err := s.DB().Exec("CREATE TABLE " + l.table + " (id VARCHAR(64) NOT NULL)")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = s.DB().Exec("DROP TABLE " + l.table) })
	return l
}

func txMessage(id string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte("payload"))
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	return msg
}

// TestTransactionalMode proves the handler's writes and the completion commit
// together: a failure rolls back both (the redelivery runs again and its
// write is the only one), a duplicate writes nothing.
func TestTransactionalMode(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			l := newLedger(t, s, d.dialect)
			l.fail = 1
			m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{Consumer: "ledger", Transactional: true,
				TxRetry: sourceflow.RetryPolicy{MaxRetries: -1}})
			require.NoError(t, err)
			h := m.Middleware(l.handle)

			_, err = h(txMessage("a"))
			require.ErrorContains(t, err, "handler failed after writing")
			assert.Equal(t, 0, countRows(t, s, l.table), "the failed run's write was rolled back")

			for range 3 {
				_, err = h(txMessage("a"))
				require.NoError(t, err)
			}
			assert.Equal(t, 1, countRows(t, s, l.table), "exactly one committed write")
			assert.Equal(t, 2, l.runs, "one failed run, one successful run, two duplicates skipped")
			assert.Equal(t, uint64(2), m.Stats().Duplicates)
		})
	}
}

// TestTransactionalConcurrentDeliveries delivers one message from many
// goroutines until each is acknowledged; exactly one write commits.
func TestTransactionalConcurrentDeliveries(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			l := newLedger(t, s, d.dialect)
			m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{
				Consumer: "ledger", Transactional: true, Lease: time.Minute,
			})
			require.NoError(t, err)
			h := m.Middleware(l.handle)
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { errs[i] = deliverUntilAcked(h, "same-id") })
			}
			wg.Wait()
			require.NoError(t, errors.Join(errs...))
			assert.Equal(t, 1, countRows(t, s, l.table))
		})
	}
}

// deliverUntilAcked redelivers like a transport does until the handler
// acknowledges the message.
func deliverUntilAcked(h message.HandlerFunc, id string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := h(txMessage(id))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWithinTxJoinsCallerTransaction(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	txCtx := sqlstore.ContextWithTx(ctx, tx)
	k := idempotency.Key{Consumer: "c", MessageID: "m"}
	err = s.WithinTx(txCtx, func(ctx context.Context) error {
		assert.Same(t, tx, sqlstore.TxFromContext(ctx))
		res, err := s.Claim(ctx, k, "", time.Minute)
		require.NoError(t, err)
		return s.Complete(ctx, k, res.Token, time.Hour)
	})
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(), "the caller owns the transaction")
	res, err := s.Claim(ctx, k, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status, "the caller's rollback undid the completion")
}

var errRollBack = errors.New("roll back")

// TestSharedTransactionJoinedByStore begins a transaction on the store's
// database the way another SQL store of the module does: Claim, Complete and
// WithinTx join it, so its rollback removes the claim.
func TestSharedTransactionJoinedByStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			ctx := context.Background()
			k := idempotency.Key{Consumer: "c", MessageID: "m"}
			err := sqldb.WithinTx(ctx, "sqlstore", s.DB(), "", d.dialect, func(ctx context.Context) error {
				tx := sqldb.TxFor(ctx, s.DB())
				require.NotNil(t, tx)
				assert.Same(t, tx, sqlstore.TxFromContext(ctx))
				res, err := s.Claim(ctx, k, "", time.Minute)
				require.NoError(t, err)
				require.NoError(t, s.Complete(ctx, k, res.Token, time.Hour))
				return s.WithinTx(ctx, func(ctx context.Context) error {
					assert.Same(t, tx, sqlstore.TxFromContext(ctx), "WithinTx joins the shared transaction")
					return errRollBack
				})
			})
			require.ErrorIs(t, err, errRollBack)
			res, err := s.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Acquired, res.Status, "the rollback removed the claim")
		})
	}
}

// TestTransactionOnAnotherDatabaseIsIgnored runs the store inside a
// transaction begun on another database: the store writes to its own, so the
// other transaction's rollback does not undo the completion.
func TestTransactionOnAnotherDatabaseIsIgnored(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	other, err := sqldb.Open(context.Background(), sqldb.Config{
		Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(t.TempDir(), "other.db"),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	ctx := context.Background()
	k := idempotency.Key{Consumer: "c", MessageID: "m"}
	err = sqldb.WithinTx(ctx, "sqlstore", other, "", sourceflow.SQLite, func(ctx context.Context) error {
		res, err := s.Claim(ctx, k, "", time.Minute)
		require.NoError(t, err)
		require.NoError(t, s.Complete(ctx, k, res.Token, time.Hour))
		return errRollBack
	})
	require.ErrorIs(t, err, errRollBack)
	res, err := s.Claim(ctx, k, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status, "the store did not run in the other database's transaction")
}

// A handling that fails after writing runs again in a new transaction,
// the failed one rolled back: one delivery, one committed write. The Retry
// middleware placed inside, as the phases place it, does not run the
// handler again in the handling transaction, whose writes would commit
// with the retry's.
func TestAFailedHandlingRunsAgainInANewTransaction(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s, l, m := retryingLedger(t, d.dialect, d.env)
			retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{InitialInterval: time.Millisecond}})
			require.NoError(t, err)
			h := m.Middleware(retry(l.handle))

			_, err = h(txMessage("a"))

			require.NoError(t, err)
			assert.Equal(t, 2, l.runs, "run once in each transaction")
			assert.Equal(t, 1, countRows(t, s, l.table), "the failed run's write was rolled back")
			assert.Equal(t, uint64(1), m.Stats().TxRetries)
		})
	}
}

// With TxRetry off, the failure goes back to the transport at once.
func TestTxRetryOffLeavesTheRetryToTheRedelivery(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			l := newLedger(t, s, d.dialect)
			l.fail = 1
			m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{Consumer: "ledger", Transactional: true,
				TxRetry: sourceflow.RetryPolicy{MaxRetries: -1}})
			require.NoError(t, err)
			h := m.Middleware(l.handle)

			_, err = h(txMessage("a"))
			require.ErrorContains(t, err, "handler failed after writing")
			assert.Equal(t, 1, l.runs)
			assert.Equal(t, 0, countRows(t, s, l.table))

			require.NoError(t, deliverUntilAcked(h, "a"))
			assert.Equal(t, 1, countRows(t, s, l.table))
		})
	}
}

// An inner phase that changes the message (decryption swaps in the
// plaintext and drops the header) meets the message as it arrived on every
// run in a new transaction.
func TestARerunInANewTransactionSeesTheMessageAsItArrived(t *testing.T) {
	s, l, m := retryingLedger(t, sourceflow.SQLite, "")
	decrypt := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.Metadata.Get("enc") != "sealed" || string(msg.Payload) != "ciphertext" {
				return nil, sourceflow.Permanent(errors.New("not encrypted"))
			}
			delete(msg.Metadata, "enc")
			msg.Payload = []byte("plaintext")
			return h(msg)
		}
	}
	h := m.Middleware(decrypt(l.handle))
	msg := txMessage("a")
	msg.Metadata.Set("enc", "sealed")
	msg.Payload = []byte("ciphertext")

	_, err := h(msg)

	require.NoError(t, err)
	assert.Equal(t, 2, l.runs)
	assert.Equal(t, 1, countRows(t, s, l.table))
}

// A handling that joined a transaction the message context already carried
// is not run again: the transaction is its owner's.
func TestAHandlingInTheCallersTransactionIsNotRunAgain(t *testing.T) {
	s, l, m := retryingLedger(t, sourceflow.SQLite, "")
	tx, err := s.DB().BeginTx(context.Background(), nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	msg := txMessage("a")
	msg.SetContext(sqlstore.ContextWithTx(context.Background(), tx))

	_, err = m.Middleware(l.handle)(msg)

	require.ErrorContains(t, err, "handler failed after writing")
	assert.Equal(t, 1, l.runs)
	assert.Zero(t, m.Stats().TxRetries)
}

// retryingLedger opens a store of dialect, a ledger on it whose first
// handling fails after writing, and transactional idempotency middleware
// that runs a failed handling again after 1 ms.
func retryingLedger(t *testing.T, dialect sourceflow.Dialect, env string) (*sqlstore.Store, *ledger, *idempotency.Middleware) {
	t.Helper()
	s := openStore(t, dialect, env, sqlstore.Config{})
	l := newLedger(t, s, dialect)
	l.fail = 1
	m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{Consumer: "ledger", Transactional: true,
		TxRetry: sourceflow.RetryPolicy{InitialInterval: time.Millisecond}})
	require.NoError(t, err)
	return s, l, m
}
