package sqlstore_test

import (
	"testing"

	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// With the saga states and the view models in two databases, a replay
// stores them in two transactions, one after the other: were it to hold
// the saga states' database while it waits for the views', a live handling
// holding the views' database (its idempotency transaction) while its saga
// waits for the other would keep both waiting, on SQLite until the 30 s
// busy timeout.
func TestReplayRacingLiveSendsWithStoresOnTwoDatabasesNeverWaitsForThem(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		app, mw := newReplayApp(t, d, d.open(t, sqlstore.Config{}), nil)
		replayWhileSending(t, app, mw)
	})
}
