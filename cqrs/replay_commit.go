package cqrs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// replayedDoc is one document a replay stores: a saga's state or a view
// model it rebuilt entirely.
type replayedDoc struct {
	store    DocumentStore
	what     string // "" for a saga's state, "view " for a view model, for errors
	kind, id string
	data     []byte
}

// commitReplay stores what the replay rebuilt: the saga states and the
// view models it rebuilt entirely (see rebuiltViews), in transactions as
// storeAll says. It takes no per-entity lock. A live handling in a
// transaction (the transactional idempotency middleware's, or an outbox's)
// begins it before its handler takes the entity's lock, and on SQLite that
// transaction holds the whole database's write lock: a commit waiting for
// the database under the entity's lock would wait for a handler that waits
// for it. Each save is conditional on the version the commit loaded, as a
// live one is, so a live save in between is not lost unseen: the commit
// loads and saves again (see save), and after a conflict it cannot get past
// in its transaction it runs again whole, unless it joined a transaction
// ctx carries.
func (s *Service) commitReplay(ctx context.Context, sc *replayScope) error {
	sagas, views := s.replayedDocs(sc)
	if len(sagas)+len(views) == 0 {
		return nil
	}
	if joins(ctx, s.cfg.EntityStore) || joins(ctx, s.cfg.ViewStore) {
		return s.storeAll(ctx, sagas, views) // a conflict fails the caller's transaction, which may no longer take statements
	}
	return retryConflicts(func() error { return s.storeAll(ctx, sagas, views) },
		func() string { return "cqrs: replay of " + quotedID(sc.entityID) + " " })
}

// storeAll stores sagas and views once. It runs in a transaction of the
// EntityStore when that is a sourceflow.Transactor, which the ViewStore
// joins on the same database, so they commit together or not at all. A
// ViewStore that tells it does not join that transaction (a
// TransactionJoiner on another database, or on another DynamoDB client,
// which would refuse it) stores the view models in a transaction of its
// own once the saga states committed: holding one database while waiting
// for the other would wait for a live handling that holds the other (its
// idempotency transaction) while its saga waits for the first. Without an
// EntityStore transaction, both are stored in the ViewStore's, when it is
// a Transactor, which the EntityStore joins on the same database.
func (s *Service) storeAll(ctx context.Context, sagas, views []replayedDoc) error {
	storeViews := func(ctx context.Context) error { return storeReplayed(ctx, views) }
	if _, ok := s.cfg.EntityStore.(sourceflow.Transactor); !ok {
		return withinTxOf(ctx, s.cfg.ViewStore, func(ctx context.Context) error {
			if err := storeReplayed(ctx, sagas); err != nil {
				return err
			}
			return storeViews(ctx)
		})
	}
	apart := false
	err := withinTxOf(ctx, s.cfg.EntityStore, func(sagaCtx context.Context) error {
		if err := storeReplayed(sagaCtx, sagas); err != nil {
			return err
		}
		j, ok := s.cfg.ViewStore.(TransactionJoiner)
		if apart = ok && !j.JoinsTransaction(sagaCtx); apart {
			return nil
		}
		return withinTxOf(sagaCtx, s.cfg.ViewStore, storeViews)
	})
	if err != nil || !apart {
		return err
	}
	return withinTxOf(ctx, s.cfg.ViewStore, storeViews)
}

// replayedDocs returns the documents the replay stores: the saga states
// and the view models, each sorted by kind and id, so that two commits
// write them in one order.
func (s *Service) replayedDocs(sc *replayScope) (sagas, views []replayedDoc) {
	return sortedDocs(s.cfg.EntityStore, "", sc.entities.snapshot()), sortedDocs(s.cfg.ViewStore, "view ", s.rebuiltViews(sc))
}

// sortedDocs returns the documents of m to store in store, sorted by kind
// and id.
func sortedDocs(store DocumentStore, what string, m map[[2]string]Document) []replayedDoc {
	docs := make([]replayedDoc, 0, len(m))
	for key, doc := range m {
		docs = append(docs, replayedDoc{store: store, what: what, kind: key[0], id: key[1], data: doc.Data})
	}
	slices.SortFunc(docs, func(a, b replayedDoc) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id))
	})
	return docs
}

// storeReplayed stores docs, each replacing whatever version is stored.
func storeReplayed(ctx context.Context, docs []replayedDoc) error {
	for _, d := range docs {
		if err := d.save(ctx); err != nil {
			return fmt.Errorf("cqrs: store replayed %s%s %s: %w", d.what, d.kind, quotedID(d.id), err)
		}
	}
	return nil
}

// save stores d over the version it loads, loading again when another
// save came in between, at most conflictAttempts times. The conflict of a
// new document is returned at once: the refused insert may have ended the
// transaction (PostgreSQL's do), and commitReplay begins a new one.
func (d replayedDoc) save(ctx context.Context) error {
	var err error
	for range conflictAttempts {
		inserted := false
		err = updateOnce(ctx, d.store, d.kind, d.id, func(_ context.Context, stored []byte, found bool) ([]byte, bool, error) {
			inserted = !found
			return d.data, true, overNewerState(stored, d.data)
		})
		if !errors.Is(err, ErrConflict) || inserted {
			return err
		}
	}
	return err
}

// withinTxOf runs fn in a transaction of store when store is a
// sourceflow.Transactor (which joins one ctx carries on its database), and
// as it is otherwise.
func withinTxOf(ctx context.Context, store any, fn func(context.Context) error) error {
	if tx, ok := store.(sourceflow.Transactor); ok {
		return tx.WithinTx(ctx, fn)
	}
	return fn(ctx)
}
