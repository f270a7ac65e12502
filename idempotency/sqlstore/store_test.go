package sqlstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/idempotencytest"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// dialects lists every dialect with the environment variable naming its DSN;
// SQLite needs none and always runs.
var dialects = []struct {
	dialect sourceflow.Dialect
	env     string
}{
	{sourceflow.SQLite, ""},
	{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"},
	{sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"},
}

// dsnFor returns the DSN of a dialect. Without its DSN a PostgreSQL test fails
// in the integration run (postgresRequired), where make test always starts
// PostgreSQL; otherwise, and for MySQL/MariaDB, which is optional, it is
// skipped loudly.
func dsnFor(t testing.TB, d sourceflow.Dialect, env string) string {
	t.Helper()
	if d == sourceflow.SQLite {
		return "file:" + filepath.Join(t.TempDir(), "idem.db")
	}
	dsn := os.Getenv(env)
	if dsn != "" {
		return dsn
	}
	msg := fmt.Sprintf("%s is not set: the %s store tests did NOT run (make test starts a database and sets it)", env, d)
	if d == sourceflow.Postgres && postgresRequired {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}

// uniqueTable returns a table name no other test uses.
func uniqueTable() string {
	return "idem_" + strings.ToLower(rand.Text()[:12])
}

// openStore opens a store on a fresh table (unless cfg names one) on a fresh
// SQLite file or the dialect's test database (unless cfg.DSN is set); the table
// and its version table are dropped after the test.
func openStore(t testing.TB, d sourceflow.Dialect, env string, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	cfg.Dialect = d
	if cfg.DSN == "" {
		cfg.DSN = dsnFor(t, d, env)
	}
	if cfg.Table == "" {
		cfg.Table = uniqueTable()
	}
	s, err := sqlstore.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := s.DB().Exec("DROP TABLE " + cfg.Table)
		assert.NoError(t, err)
		_, err = s.DB().Exec("DROP TABLE IF EXISTS " + cfg.Table + "_version")
		assert.NoError(t, err)
		require.NoError(t, s.Close())
	})
	return s
}

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			dsnFor(t, d.dialect, d.env) // skip or fail the whole dialect at once
			idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
				cfg := sqlstore.Config{Dialect: d.dialect, Table: uniqueTable()}
				return storeOnOpened(t, openStore(t, d.dialect, d.env, cfg), cfg)
			})
		})
	}
}

// storeOnOpened returns a Store made by New on the database of opened and
// its table (cfg's): the conformance suite closes the stores it is given,
// and the database stays open for opened's cleanup to drop the table.
func storeOnOpened(t *testing.T, opened *sqlstore.Store, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	cfg.SkipMigrations = true
	s, err := sqlstore.New(context.Background(), opened.DB(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func countRows(t *testing.T, s *sqlstore.Store, table string) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

// TestCleanupDeletesExpiredRows proves the background cleanup runs: completed
// rows past their TTL disappear and are counted; live rows stay, and so do
// leases that ran out, whose holders may still complete.
func TestCleanupDeletesExpiredRows(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			t.Parallel()
			table := uniqueTable()
			s := openStore(t, d.dialect, d.env, sqlstore.Config{
				Table: table, CleanupInterval: 100 * time.Millisecond, CleanupBatch: 3,
			})
			ctx := context.Background()
			const expiring, lapsed, live = 4, 3, 2
			tokens := map[idempotency.Key]string{}
			for i := range expiring + lapsed + live {
				k := idempotency.Key{Consumer: "c", MessageID: fmt.Sprintf("m%d", i)}
				res, err := s.Claim(ctx, k, "", time.Second)
				require.NoError(t, err)
				switch { // the leases first: they run out before the short records
				case i < lapsed:
					tokens[k] = res.Token
				case i < lapsed+expiring:
					require.NoError(t, s.Complete(ctx, k, res.Token, time.Second))
				default:
					require.NoError(t, s.Complete(ctx, k, res.Token, time.Hour))
				}
			}
			require.Equal(t, expiring+lapsed+live, countRows(t, s, table))
			require.Eventually(t, func() bool {
				return s.Stats().CleanedRows == expiring
			}, 20*time.Second, 50*time.Millisecond, "cleanup never deleted the expired rows: %+v", s.Stats())
			assert.Equal(t, lapsed+live, countRows(t, s, table), "live rows and lapsed leases stay")
			for k, token := range tokens {
				require.NoError(t, s.Complete(ctx, k, token, time.Hour), "the holder of a lapsed lease completes after cleanup")
			}
			assert.Zero(t, s.Stats().CleanupErrors)
			assert.Greater(t, s.Stats().CleanupRuns, uint64(1))
		})
	}
}

func TestExplicitCleanupReturnsCount(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{CleanupInterval: time.Hour})
	ctx := context.Background()
	n, err := s.Cleanup(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	for i := range 4 {
		k := idempotency.Key{Consumer: "c", MessageID: fmt.Sprint(i)}
		res, err := s.Claim(ctx, k, "", time.Minute)
		require.NoError(t, err)
		require.NoError(t, s.Complete(ctx, k, res.Token, time.Millisecond))
	}
	// Each record expires on its own (by the database clock), so one call may
	// find only some of them expired: the counts add up to 4.
	var total int64
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		n, err := s.Cleanup(ctx)
		require.NoError(c, err, "Cleanup")
		total += n
		assert.GreaterOrEqual(c, total, int64(4))
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, int64(4), total)
	assert.Equal(t, uint64(4), s.Stats().CleanedRows)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  sqlstore.Config
		want []string
	}{
		{"unknown dialect", sqlstore.Config{Dialect: "oracle", DSN: "x"}, []string{"Config.Dialect", "unknown dialect"}},
		{"injection", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", Table: "t; DROP TABLE users"}, []string{"Config.Table"}},
		{"quote", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", Table: `t"x`}, []string{"Config.Table"}},
		{"three parts", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", Table: "a.b.c"}, []string{"Config.Table"}},
		{"leading digit", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", Table: "1t"}, []string{"Config.Table"}},
		{"no room for the version table", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", Table: strings.Repeat("t", 56)}, []string{"Config.Table"}},
		{"negative", sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "x", CleanupInterval: -1, CleanupBatch: -1, MaxOpenConns: -1, ConnectTimeout: -1},
			[]string{"Config.CleanupInterval", "Config.CleanupBatch", "Config.MaxOpenConns", "Config.ConnectTimeout"}},
		{"no DSN", sqlstore.Config{Dialect: sourceflow.SQLite}, []string{"Config.DSN"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sqlstore.Open(context.Background(), tc.cfg)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.Postgres, Table: "idem.records_v2"}.Validate())
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.Postgres, Table: strings.Repeat("s", 63) + "." + strings.Repeat("t", 55)}.Validate())
	assert.ErrorIs(t, sqlstore.Config{Dialect: "oracle", Table: "t"}.Validate(), sourceflow.ErrUnknownDialect)
	assert.ErrorIs(t, sqlstore.Config{Dialect: sourceflow.SQLite, Table: "a.b.c"}.Validate(), sqlstore.ErrInvalidTable)
}

func TestOversizedKeyRejected(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	long := strings.Repeat("x", sqlstore.MaxKeyLength+1)
	_, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: long}, "", time.Minute)
	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	res, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "ok"}, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status)
}

// A consumer or message id PostgreSQL's text columns cannot hold (NUL,
// invalid UTF-8), or one ending in a space, which MySQL would take for the
// id without it (so "ab " would be a duplicate of "ab"), is ErrInvalidKey
// on every dialect, which the middleware dead-letters, rather than a store
// error retried for good or a message acknowledged without running; a valid
// key claims as before.
func TestKeyTheColumnsCannotHoldIsInvalid(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			ctx := context.Background()
			for _, bad := range []idempotency.Key{
				{Consumer: "c", MessageID: "a\x00b"},
				{Consumer: "c", MessageID: "a\xffb"},
				{Consumer: "c\x00", MessageID: "m"},
				{Consumer: "c", MessageID: "ab "},
			} {
				_, err := s.Claim(ctx, bad, "", time.Minute)
				require.ErrorIs(t, err, idempotency.ErrInvalidKey, "%q", bad)
			}
			res, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "ab"}, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Acquired, res.Status)
		})
	}
}

// A payload hash longer than the column keeps is refused as ErrInvalidKey
// (permanent in the middleware), on every dialect, rather than failing the
// insert on some and being retried.
func TestOversizedPayloadHashRejected(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	_, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m"}, strings.Repeat("h", sqlstore.MaxHashLength+1), time.Minute)
	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	assert.ErrorContains(t, err, "HashPayload")
	_, err = s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m"}, string([]byte{0xff, 0xfe, 0x12}), time.Minute)
	require.ErrorIs(t, err, idempotency.ErrInvalidKey, "a raw digest is not text PostgreSQL stores")
	res, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m"}, strings.Repeat("é", sqlstore.MaxHashLength), time.Minute)
	require.NoError(t, err, "128 characters fit, whatever their bytes")
	assert.Equal(t, idempotency.Acquired, res.Status)
}

func TestSchemaIsIdempotent(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			require.NoError(t, s.CreateSchema(context.Background()), "second run")
			require.NoError(t, s.CreateSchema(context.Background()), "third run")
			assert.NotEmpty(t, s.SchemaSQL())
		})
	}
}

func BenchmarkClaimComplete(b *testing.B) {
	for _, d := range dialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s := openStore(b, d.dialect, d.env, sqlstore.Config{})
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				k := idempotency.Key{Consumer: "bench", MessageID: fmt.Sprintf("m-%d", i)}
				res, err := s.Claim(ctx, k, "hash", time.Minute)
				if err != nil || res.Status != idempotency.Acquired {
					b.Fatalf("claim %v: %v %v", k, res.Status, err)
				}
				if err := s.Complete(ctx, k, res.Token, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestTheLongestTableNameGetsAnIndexEveryDialectTakes(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			t.Parallel()
			table := uniqueTable() + "_" + strings.Repeat("x", 63-len("_version")-len(uniqueTable())-1)
			require.Len(t, table, 55)
			s := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table})
			ctx := context.Background()
			k := idempotency.Key{Consumer: "c", MessageID: "m"}
			res, err := s.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			require.NoError(t, s.Complete(ctx, k, res.Token, time.Hour))
		})
	}
}
