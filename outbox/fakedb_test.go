package outbox_test

import "github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"

// fakeDB returns a fake database hanging on the statements containing
// hangOn ("" for none, "*" for all) that finds the rows the outbox looks
// for (MySQL's lock row, the forwarders' offsets row, the held table's
// destination_key and its index).
func fakeDB(hangOn string) *sqldbtest.DB {
	f := &sqldbtest.DB{OneRow: []string{"sourceflow_outbox_locks", "SELECT 1 FROM", "information_schema.columns", "information_schema.statistics"}, Hanging: make(chan string, 1)}
	f.HangOn(hangOn)
	return f
}
