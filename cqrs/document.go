package cqrs

import (
	"context"
	"errors"
	"fmt"
)

// conflictAttempts bounds how often a saga or view applies one message when
// other instances keep saving the same document first; after that the
// message fails with ErrConflict and the transport redelivers it.
const conflictAttempts = 8

// change computes a document's new data from the stored one (nil data and
// found false for a new document). It returns save false when nothing is to
// be stored.
type change func(ctx context.Context, data []byte, found bool) (next []byte, save bool, err error)

// updateDocument loads (kind, id), applies fn and saves the result on the
// condition that nobody saved in between. On a conflict it reloads and
// applies fn again, with the sends of the running handler rewound so that a
// re-run derives the same message ids.
func updateDocument(ctx context.Context, store DocumentStore, kind, id string, fn change) error {
	if inOutboxTx(ctx) {
		return updateOnce(ctx, store, kind, id, fn) // withinOutboxTx retries the whole transaction
	}
	mark := sendMark(ctx)
	return retryConflicts(func() error {
		rewindSends(ctx, mark)
		return updateOnce(ctx, store, kind, id, fn)
	}, func() string { return "cqrs: " + kind + " " + quotedID(id) + ": " })
}

// retryConflicts runs attempt, and again after ErrConflict, at most
// conflictAttempts times, and returns its error; a conflict still there
// after the last is wrapped as giving up, after the prefix what returns.
func retryConflicts(attempt func() error, what func() string) error {
	var err error
	for range conflictAttempts {
		if err = attempt(); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%sgave up after %d conflicting saves: %w", what(), conflictAttempts, err)
}

func updateOnce(ctx context.Context, store DocumentStore, kind, id string, fn change) error {
	doc, found, err := loadDocument(ctx, store, kind, id)
	if err != nil {
		return err
	}
	next, save, err := fn(ctx, doc.Data, found)
	if err != nil || !save {
		return err
	}
	if err := store.Save(ctx, kind, id, next, doc.Version); err != nil {
		return fmt.Errorf("cqrs: save %s %s: %w", kind, quotedID(id), err)
	}
	return nil
}

// loadDocument loads (kind, id) from store; a document not stored is found
// false, without an error.
func loadDocument(ctx context.Context, store DocumentStore, kind, id string) (Document, bool, error) {
	doc, err := store.Load(ctx, kind, id)
	if errors.Is(err, ErrNotFound) {
		return Document{}, false, nil
	}
	if err != nil {
		return Document{}, false, fmt.Errorf("cqrs: load %s %s: %w", kind, quotedID(id), err)
	}
	return doc, true, nil
}
