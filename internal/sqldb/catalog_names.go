package sqldb

import (
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// ShadowedByCatalog reports whether the system catalog may hide a table of
// this name. On PostgreSQL an unqualified name beginning with "pg_" (in
// any case: unquoted names fold to lower case) is the catalog's: pg_catalog
// is searched before the schemas of search_path, so a table of that name
// created in the default schema is read and written through the catalog's
// relation when one has the name (pg_views, pg_sequences, …), and a later
// PostgreSQL may add one. A schema-qualified name is not searched for.
func ShadowedByCatalog(d Dialect, name string) bool {
	return d == sourceflow.Postgres && !strings.Contains(name, ".") &&
		len(name) >= len(catalogPrefix) && strings.EqualFold(name[:len(catalogPrefix)], catalogPrefix)
}

// CatalogShadowing says why ShadowedByCatalog refuses a name, for errors.
const CatalogShadowing = `on PostgreSQL an unqualified table name beginning with "pg_" is the system catalog's, ` +
	`which is searched first (pg_views, pg_sequences); qualify it with a schema or choose another`

const catalogPrefix = "pg_"
