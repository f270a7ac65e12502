package sqlstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// maxAttempts bounds the claim retries when a record changes between the
// claim and the lookup, or when MySQL reports a deadlock outside a transaction.
const maxAttempts = 5

// Store is an idempotency.Store and idempotency.Transactor on a SQL database.
// Every expiry is decided by the database clock, so instances with skewed
// clocks agree. Expired rows are treated as absent when read and deleted by a
// background cleanup every CleanupInterval until Close.
type Store struct {
	db     *sql.DB
	source string // sqldb.SourceOf the DSN Open opened db with, "" for New
	cfg    Config
	q      queries
	ownsDB bool
	closed atomic.Bool

	runs, cleaned, failures atomic.Uint64

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

var (
	_ idempotency.Store      = (*Store)(nil)
	_ idempotency.Transactor = (*Store)(nil)
)

// Open opens the database named by cfg.DSN with the dialect's driver, checks
// the connection within cfg.ConnectTimeout (an unreachable database is
// ErrUnreachable naming the address, never a hang; a DSN the driver cannot
// read is ErrInvalidConfig, before any connection, and so is a refusal of
// the DSN's user, password or database, or on MySQL and MariaDB of its
// account or the connection) and returns a Store that closes the database
// on Close.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	return sqldb.OpenStore(ctx, cfg.dbConfig(), cfg.problems(), func(db *sql.DB) (*Store, error) {
		return newStore(ctx, db, cfg, true)
	})
}

// New returns a Store on db, which the caller keeps and closes: the
// Store's Close leaves db open, though the Store refuses calls after it
// (idempotency.ErrClosed). Unless
// cfg.SkipMigrations is set, it migrates the table to the current schema
// version. A db opened with another dialect's driver than cfg.Dialect is
// ErrInvalidConfig.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	cfg.setDefaults()
	return newStore(ctx, db, cfg, false)
}

func newStore(ctx context.Context, db *sql.DB, cfg Config, owns bool) (*Store, error) {
	if err := sqldb.CheckStoreDB(db, cfg.Dialect, cfg.problems()); err != nil {
		return nil, err
	}
	warnPlaintext(ctx, db, cfg, owns)
	s := &Store{db: db, cfg: cfg, q: newQueries(cfg.Dialect, cfg.Table), ownsDB: owns, stop: make(chan struct{})}
	if owns {
		s.source = sqldb.SourceOf(cfg.Dialect, cfg.DSN)
	}
	if !cfg.SkipMigrations {
		if err := s.CreateSchema(ctx); err != nil {
			return nil, err
		}
	}
	s.wg.Add(1)
	// #nosec G118 -- the cleanup runs until Close; ctx bounds the setup only.
	go s.cleanupLoop()
	return s, nil
}

// warnPlaintext logs, once per Open or New, that the store's connection
// crosses a network in clear text or in TLS that does not verify the
// server, when it does (see sqldb.WarnPlaintext):
// with the DSN, when Open opened db, which names the address.
func warnPlaintext(ctx context.Context, db *sql.DB, cfg Config, opened bool) {
	dsn := ""
	if opened {
		dsn = cfg.DSN
	}
	sqldb.WarnPlaintext(ctx, db, cfg.Dialect, dsn, cmp.Or(cfg.ConnectTimeout, sqldb.DefaultConnectTimeout),
		cfg.Logger, "idempotency/sqlstore")
}

// Close stops the cleanup and, for a Store made by Open, closes the database.
// Later calls of Claim, Complete, Extend, Release, Lookup, WithinTx, Cleanup
// and CreateSchema fail with idempotency.ErrClosed, on a Store made by Open or
// New; one running while Close closes the database fails with it too. Close
// is idempotent.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	s.closed.Store(true)
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}

// DB returns the database the store writes to.
func (s *Store) DB() *sql.DB { return s.db }

// checkKey refuses, as idempotency.ErrInvalidKey, a key some dialect's
// columns cannot hold apart from another: longer than MaxKeyLength, holding
// NUL, or ending in a space (Validate refuses a key that is not UTF-8).
func checkKey(key idempotency.Key) error {
	if err := key.Validate(); err != nil {
		return err
	}
	for _, part := range []string{key.Consumer, key.MessageID} {
		switch {
		case len(part) > MaxKeyLength:
			return fmt.Errorf("%w: longer than %d bytes", idempotency.ErrInvalidKey, MaxKeyLength)
		case strings.ContainsRune(part, 0):
			// PostgreSQL's text columns cannot hold it; the same key is
			// refused on every dialect.
			return fmt.Errorf("%w: %q holds NUL", idempotency.ErrInvalidKey, part)
		case strings.HasSuffix(part, " "):
			// MySQL's utf8mb4_bin ignores trailing spaces: "m " would find
			// the record of "m", and its message be taken for a duplicate.
			return fmt.Errorf("%w: %q ends in a space, which MySQL does not tell apart from the key without it", idempotency.ErrInvalidKey, part)
		}
	}
	return nil
}

// checkClaim refuses the arguments of a Claim no dialect stores apart from
// another's: an invalid key or lease (idempotency.ErrInvalidKey,
// idempotency.ErrInvalidDuration), or a payload hash the column cannot hold
// (idempotency.ErrInvalidKey).
func checkClaim(key idempotency.Key, payloadHash string, lease time.Duration) error {
	if err := idempotency.CheckArgs(key, lease); err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return err
	}
	if !utf8.ValidString(payloadHash) || strings.ContainsRune(payloadHash, 0) || utf8.RuneCountInString(payloadHash) > MaxHashLength {
		return fmt.Errorf("%w: the payload hash must be UTF-8 text without NUL, at most %d characters: "+
			"fix what MiddlewareConfig.HashPayload returns", idempotency.ErrInvalidKey, MaxHashLength)
	}
	return nil
}

// Claim implements idempotency.Store. It runs in the transaction carried by
// ctx (see WithinTx and ContextWithTx), if any.
func (s *Store) Claim(ctx context.Context, key idempotency.Key, payloadHash string, lease time.Duration) (idempotency.ClaimResult, error) {
	if err := checkClaim(key, payloadHash, lease); err != nil {
		return idempotency.ClaimResult{}, opErr("claim", key, err)
	}
	if s.closed.Load() {
		return idempotency.ClaimResult{}, opErr("claim", key, idempotency.ErrClosed)
	}
	token := rand.Text()
	for range maxAttempts {
		res, again, err := s.claimOnce(ctx, key, payloadHash, lease, token)
		if err != nil && s.retryable(ctx, err) {
			continue
		}
		if err != nil {
			return idempotency.ClaimResult{}, opErr("claim", key, s.orClosed(err))
		}
		if !again {
			return res, nil
		}
	}
	return idempotency.ClaimResult{}, opErr("claim", key, fmt.Errorf("record kept changing after %d attempts", maxAttempts))
}

// claimOnce inserts or takes over an expired record, then reads the live
// record when the claim was not acquired. again reports that the record
// vanished between the two statements (expired or released).
func (s *Store) claimOnce(ctx context.Context, key idempotency.Key, hash string, lease time.Duration, token string) (res idempotency.ClaimResult, again bool, err error) {
	ex, err := s.executor(ctx)
	if err != nil {
		return res, false, err
	}
	d := s.q.duration(lease)
	if s.q.returns {
		var got string
		err = ex.QueryRowContext(ctx, s.q.claim, key.Consumer, key.MessageID, token, hash, d).Scan(&got)
		if err == nil {
			return idempotency.ClaimResult{Status: idempotency.Acquired, Token: token}, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, false, err
		}
	} else if _, err = ex.ExecContext(ctx, s.q.claim, key.Consumer, key.MessageID, token, hash, d, token, hash, d); err != nil {
		return res, false, err
	}
	var status int
	var holder, recorded string
	err = ex.QueryRowContext(ctx, s.q.lookup, key.Consumer, key.MessageID).Scan(&status, &holder, &recorded)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return res, true, nil
	case err != nil:
		return res, false, err
	case holder == token:
		return idempotency.ClaimResult{Status: idempotency.Acquired, Token: token}, false, nil
	case hash != "" && recorded != "" && hash != recorded:
		return res, false, idempotency.ErrPayloadMismatch
	case status == 1:
		return idempotency.ClaimResult{Status: idempotency.Completed}, false, nil
	}
	return idempotency.ClaimResult{Status: idempotency.InProgress}, false, nil
}

// retryable reports a MySQL deadlock or lock wait timeout outside a
// transaction on the store's database; inside one the transaction is gone and
// the error must surface.
func (s *Store) retryable(ctx context.Context, err error) bool {
	var me *mysql.MySQLError
	return sqldb.TxFor(ctx, s.db) == nil && errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}
