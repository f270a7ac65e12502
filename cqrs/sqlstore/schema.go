package sqlstore

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// columnTypes are the types a dialect gives the store's columns.
type columnTypes struct {
	key   string // entity ids, message ids, kinds and document ids
	text  string // command type and destination
	json  string // the command envelope
	blob  string // command payloads and documents
	int64 string
	table string // options after a CREATE TABLE's closing parenthesis
}

func typesOf(d sourceflow.Dialect) columnTypes {
	switch d {
	case sourceflow.Postgres:
		return columnTypes{key: "VARCHAR(191)", text: "TEXT", json: "JSONB", blob: "BYTEA", int64: "BIGINT"}
	case sourceflow.MySQL:
		return columnTypes{key: "VARCHAR(191)", text: "TEXT", json: "JSON", blob: "LONGBLOB", int64: "BIGINT",
			table: " ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"}
	}
	return columnTypes{key: "TEXT", text: "TEXT", json: "TEXT", blob: "BLOB", int64: "INTEGER"}
}

// schema returns the store's versioned schema. Steps are only ever
// appended: version n is Steps[n-1], and an applied step is never edited.
// Tables are created IF NOT EXISTS because MySQL does not roll DDL back, so
// a step interrupted there can run again.
func schema(d sourceflow.Dialect, t tables) sqldb.Schema {
	c := typesOf(d)
	v1 := []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	entity_id %s NOT NULL PRIMARY KEY,
	last %s NOT NULL)%s`, t.sequences, c.key, c.int64, c.table),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	entity_id %s NOT NULL,
	sequence %s NOT NULL,
	message_id %s NOT NULL,
	type %s NOT NULL,
	destination %s NOT NULL,
	envelope %s NOT NULL,
	payload %s,
	PRIMARY KEY (entity_id, sequence),
	UNIQUE (entity_id, message_id))%s`, t.commands, c.key, c.int64, c.key, c.text, c.text, c.json, c.blob, c.table),
		documentTable(t.entities, c),
		documentTable(t.views, c),
	}
	return sqldb.Schema{VersionTable: t.version, Steps: [][]string{v1}}
}

func documentTable(name string, c columnTypes) string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	kind %s NOT NULL,
	id %s NOT NULL,
	version %s NOT NULL,
	data %s,
	PRIMARY KEY (kind, id))%s`, name, c.key, c.key, c.int64, c.blob, c.table)
}

// SchemaSQL returns the statements that create the store's tables at the
// schema version this program knows, for schemas managed outside the store
// (Config.SkipMigrations). They do not create the version table.
func (s *Store) SchemaSQL() []string { return schema(s.cfg.Dialect, s.cfg.tables()).Statements() }
