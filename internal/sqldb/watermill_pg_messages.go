package sqldb

import (
	"errors"
	"strings"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// pgZonelessCreatedAt and pgCreatedAt are the created_at column of a
// messages table on PostgreSQL as watermill-sql declares it and as this
// module does. A TIMESTAMP (without time zone) holds the wall-clock time
// of the writer's session time zone (its DEFAULT CURRENT_TIMESTAMP is
// converted to it), and nothing says which zone that was: a reader in
// another zone reads it hours off. A TIMESTAMPTZ holds the instant, read
// right in any session zone; so does every read of this module, which
// casts created_at to timestamptz (a no-op on a TIMESTAMPTZ column).
const (
	pgZonelessCreatedAt = `"created_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`
	pgCreatedAt         = `"created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP`
)

// errPgCreatedAt is returned when watermill-sql's PostgreSQL messages
// table no longer declares created_at as pgZonelessCreatedAt, so that a
// table is not created with a zoneless created_at unnoticed.
var errPgCreatedAt = errors.New("watermill-sql's PostgreSQL messages table does not declare created_at as expected")

// SchemaInitializingQueries creates a topic's messages table as
// watermill-sql's PostgreSQL adapter does, but with created_at a
// TIMESTAMPTZ (pgCreatedAt). A table created before keeps its TIMESTAMP,
// read, as before, in the reader's session time zone; converting it
// (ALTER TABLE ... ALTER COLUMN "created_at" TYPE timestamptz, run in a
// session of the zone that wrote it) makes it zone-independent too.
func (s postgresSchema) SchemaInitializingQueries(p wsql.SchemaInitializingQueriesParams) ([]wsql.Query, error) {
	queries, err := s.DefaultPostgreSQLSchema.SchemaInitializingQueries(p)
	if err != nil {
		return nil, err
	}
	replaced := false
	for i, q := range queries {
		if strings.Contains(q.Query, pgZonelessCreatedAt) {
			queries[i].Query = strings.Replace(q.Query, pgZonelessCreatedAt, pgCreatedAt, 1)
			replaced = true
		}
	}
	if !replaced {
		return nil, errPgCreatedAt
	}
	return queries, nil
}
