package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// sweepBound is how long sweepIdle gives each idle connection to answer a
// ping. A healthy one answers in milliseconds; one that does not is
// dropped, which costs no more than a new connection, so the bound is
// short whatever a poll's bound is.
const sweepBound = 2 * time.Second

// sweepIdle pings, all at once, the connections idle in db's pool, within
// sweepBound each, and so drops those that went silent too. A poll cut
// short by a silent connection calls it: the failure (a failover behind a
// proxy) that silenced its connection silenced the pool's idle ones as
// well, and each would otherwise cost the next poll that takes it the
// poll's whole bound.
func sweepIdle(db *sql.DB) {
	n := db.Stats().Idle
	conns := make([]*sql.Conn, 0, n)
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), sweepBound)
		c, err := db.Conn(ctx) // an idle connection first, while there is one
		cancel()
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), sweepBound)
			defer cancel()
			_ = c.PingContext(ctx) // a ping cut short breaks the connection, which the pool then drops
			_ = c.Close()
		})
	}
	wg.Wait()
}
