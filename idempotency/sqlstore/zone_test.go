package sqlstore_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// Leases and completed records hold whatever the instances' session time
// zones: an instance in New York takes a lease, and one in Berlin, six
// hours east, finds it held, then the record completed; a lease that ran
// out by the database's clock is taken over from the other zone.
func TestLeasesHoldAcrossSessionTimeZones(t *testing.T) {
	for _, d := range dialects[1:] {
		t.Run(string(d.dialect), func(t *testing.T) {
			ctx := context.Background()
			table := uniqueTable()
			west := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table, DSN: zoned(t, d.dialect, d.env, "America/New_York", "-05:00")})
			east, err := sqlstore.Open(ctx, sqlstore.Config{Dialect: d.dialect, Table: table, SkipMigrations: true,
				DSN: zoned(t, d.dialect, d.env, "Europe/Berlin", "+01:00")})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, east.Close()) })

			k := idempotency.Key{Consumer: "c", MessageID: "held"}
			res, err := west.Claim(ctx, k, "", time.Hour)
			require.NoError(t, err)
			require.Equal(t, idempotency.Acquired, res.Status)
			other, err := east.Claim(ctx, k, "", time.Hour)
			require.NoError(t, err)
			assert.Equal(t, idempotency.InProgress, other.Status, "the lease runs for an hour")
			require.NoError(t, west.Complete(ctx, k, res.Token, time.Hour))
			other, err = east.Claim(ctx, k, "", time.Hour)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Completed, other.Status, "kept for an hour")
			done, err := east.Lookup(ctx, k, "")
			require.NoError(t, err)
			assert.True(t, done)

			short := idempotency.Key{Consumer: "c", MessageID: "short"}
			res, err = west.Claim(ctx, short, "", 300*time.Millisecond)
			require.NoError(t, err)
			require.Equal(t, idempotency.Acquired, res.Status)
			require.Eventually(t, func() bool {
				other, err := east.Claim(ctx, short, "", time.Hour)
				return err == nil && other.Status == idempotency.Acquired
			}, 10*time.Second, 50*time.Millisecond, "the short lease runs out")
		})
	}
}

// zoned returns the test DSN of d with a session time zone of pgZone on
// PostgreSQL and of the UTC offset myOffset on MySQL (MariaDB without its
// time zone tables knows no zone names).
func zoned(t *testing.T, d sourceflow.Dialect, env, pgZone, myOffset string) string {
	t.Helper()
	dsn := dsnFor(t, d, env)
	sep := map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")]
	if d == sourceflow.MySQL {
		return dsn + sep + "time_zone=" + url.QueryEscape("'"+myOffset+"'")
	}
	return dsn + sep + "timezone=" + url.QueryEscape(pgZone)
}
