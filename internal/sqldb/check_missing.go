package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// missingTables is the error of a check whose probe of every table of
// groups failed with noSuchTable, the server's answer: ErrMissingTable
// naming each table a probe of its own finds missing, with its group's
// remedy. A probe failing otherwise ends the search with its error, and
// when no table is missing any more (made again meanwhile) the error
// names the server's answer alone.
func missingTables(ctx context.Context, db *sql.DB, groups []Tables, answer error) error {
	var parts []string
	for _, g := range groups {
		var missing []string
		for _, table := range g.Names {
			err := probeTables(ctx, db, []string{table})
			switch {
			case err == nil:
			case noSuchTable(err):
				missing = append(missing, table)
			default:
				return fmt.Errorf("%w: %w (and then, checking table %s: %w)", ErrMissingTable, answer, table, err)
			}
		}
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", strings.Join(missing, ", "), remedy(g)))
		}
	}
	if len(parts) == 0 {
		return fmt.Errorf("%w: %w (each table was there when checked one by one: one was made again meanwhile)",
			ErrMissingTable, answer)
	}
	return fmt.Errorf("%w: %s; the server's first answer: %w", ErrMissingTable, strings.Join(parts, "; "), answer)
}

// remedy is g's remedy, StoreRemedy by default.
func remedy(g Tables) string {
	if g.Remedy == "" {
		return StoreRemedy
	}
	return g.Remedy
}
