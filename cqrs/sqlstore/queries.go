package sqlstore

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// commandQueries are the statements of the command store. Placeholders are
// written as "?" and rebound by the dialect ($1, $2, … on PostgreSQL).
type commandQueries struct {
	// next reserves the next sequence of (entity_id): one upsert that returns
	// the new value (RETURNING on PostgreSQL and SQLite, LAST_INSERT_ID on
	// MySQL, read through sql.Result.LastInsertId).
	next string
	// nextReturns tells whether next returns a row.
	nextReturns bool
	// append inserts (entity_id, sequence, message_id, type, destination,
	// envelope, payload). On PostgreSQL and SQLite a duplicate inserts
	// nothing instead of failing, so a caller's transaction survives it.
	append string
	// find reads (sequence, message_id, type, destination, envelope, payload) of
	// (entity_id, message_id); load reads the same of (entity_id) in
	// sequence order.
	find, load string
}

// documentQueries are the statements of one document table.
type documentQueries struct {
	// load reads (data, version) of (kind, id).
	load string
	// insert stores (kind, id, data) as version 1. On PostgreSQL and SQLite an
	// existing document makes it insert nothing instead of failing.
	insert string
	// update stores (data) as version+1 where (kind, id, version) match.
	update string
}

const commandColumns = "sequence, message_id, type, destination, envelope, payload"

func newCommandQueries(d sourceflow.Dialect, t tables) commandQueries {
	q := commandQueries{
		append: fmt.Sprintf(`INSERT INTO %s (entity_id, sequence, message_id, type, destination, envelope, payload)
VALUES (?, ?, ?, ?, ?, ?, ?)`, t.commands),
		find: fmt.Sprintf(`SELECT %s FROM %s WHERE entity_id = ? AND message_id = ?`, commandColumns, t.commands),
		load: fmt.Sprintf(`SELECT %s FROM %s WHERE entity_id = ? ORDER BY sequence`, commandColumns, t.commands),
	}
	switch d {
	case sourceflow.MySQL:
		// LAST_INSERT_ID(expr) returns expr and makes it the statement's
		// insert id, for the inserted row and for the updated one alike.
		q.next = fmt.Sprintf(`INSERT INTO %s (entity_id, last) VALUES (?, LAST_INSERT_ID(1))
ON DUPLICATE KEY UPDATE last = LAST_INSERT_ID(last + 1)`, t.sequences)
	default:
		q.next = fmt.Sprintf(`INSERT INTO %s AS s (entity_id, last) VALUES (?, 1)
ON CONFLICT (entity_id) DO UPDATE SET last = s.last + 1
RETURNING last`, t.sequences)
		q.nextReturns = true
		q.append += "\nON CONFLICT DO NOTHING"
	}
	for _, p := range []*string{&q.next, &q.append, &q.find, &q.load} {
		*p = sqldb.Rebind(d, *p)
	}
	return q
}

func newDocumentQueries(d sourceflow.Dialect, table string) documentQueries {
	q := documentQueries{
		load:   fmt.Sprintf(`SELECT data, version FROM %s WHERE kind = ? AND id = ?`, table),
		insert: fmt.Sprintf(`INSERT INTO %s (kind, id, version, data) VALUES (?, ?, 1, ?)`, table),
		// The version always changes, so the affected rows are the matched
		// rows on every dialect (MySQL counts changed rows).
		update: fmt.Sprintf(`UPDATE %s SET data = ?, version = version + 1
WHERE kind = ? AND id = ? AND version = ?`, table),
	}
	if d != sourceflow.MySQL {
		q.insert += "\nON CONFLICT (kind, id) DO NOTHING"
	}
	for _, p := range []*string{&q.load, &q.insert, &q.update} {
		*p = sqldb.Rebind(d, *p)
	}
	return q
}
