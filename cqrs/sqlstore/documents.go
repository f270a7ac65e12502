package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// documentStore is a cqrs.DocumentStore on one table of (kind, id, version,
// data): <prefix>entities or <prefix>views.
type documentStore struct {
	conn
	name string // "entities" or "views", for errors
	q    documentQueries
}

var (
	_ cqrs.DocumentStore     = (*documentStore)(nil)
	_ cqrs.TransactionJoiner = (*documentStore)(nil)
	_ sourceflow.Transactor  = (*documentStore)(nil)
)

// Load returns the document under (kind, id), or cqrs.ErrNotFound.
func (s *documentStore) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	if err := checkKeys("kind", kind, "id", id); err != nil {
		return cqrs.Document{}, s.fail("load", kind, id, err)
	}
	ex, err := s.exec(ctx)
	if err != nil {
		return cqrs.Document{}, s.fail("load", kind, id, err)
	}
	var doc cqrs.Document
	err = ex.QueryRowContext(ctx, s.q.load, kind, id).Scan(&doc.Data, &doc.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return cqrs.Document{}, s.fail("load", kind, id, cqrs.ErrNotFound)
	}
	if err != nil {
		return cqrs.Document{}, s.fail("load", kind, id, err)
	}
	return doc, nil
}

// Save stores data as version+1 on the condition that the stored version is
// version (0: nothing stored): one INSERT for a new document, one
// conditional UPDATE otherwise. Anything else is cqrs.ErrConflict. A write
// the database refuses for its values is sourceflow.Permanent.
func (s *documentStore) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if err := checkKeys("kind", kind, "id", id); err != nil {
		return s.fail("save", kind, id, err)
	}
	if err := s.checkRow(ctx, sqldb.EscapedLen(kind)+sqldb.EscapedLen(id)+sqldb.EscapedLen(data)); err != nil {
		return s.fail("save", kind, id, err)
	}
	ex, err := s.exec(ctx)
	if err != nil {
		return s.fail("save", kind, id, err)
	}
	var res sql.Result
	if version == 0 {
		res, err = ex.ExecContext(ctx, s.q.insert, kind, id, data)
	} else {
		res, err = ex.ExecContext(ctx, s.q.update, data, kind, id, version)
	}
	if version == 0 && classify(err) == uniqueViolation {
		return s.conflict(kind, id, version, err)
	}
	n, err := sqldb.RowsAffected(res, err)
	if err != nil {
		return s.fail("save", kind, id, refused(err))
	}
	if n == 0 {
		return s.conflict(kind, id, version, nil)
	}
	return nil
}

func (s *documentStore) fail(op, kind, id string, err error) error {
	return fmt.Errorf("sqlstore: %s: %s %s %q: %w", s.name, op, kind, id, err)
}

// conflict reports that (kind, id) is no longer at version; cause is the
// driver's error, if any.
func (s *documentStore) conflict(kind, id string, version int64, cause error) error {
	err := fmt.Errorf("%w: no longer at version %d", cqrs.ErrConflict, version)
	if version == 0 {
		err = fmt.Errorf("%w: already saved by someone else", cqrs.ErrConflict)
	}
	if cause != nil {
		err = fmt.Errorf("%w: %w", err, cause)
	}
	return s.fail("save", kind, id, err)
}
