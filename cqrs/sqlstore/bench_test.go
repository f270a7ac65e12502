package sqlstore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// benchDialects are the databases the benchmarks run on.
var benchDialects = []dialect{dialects[0], dialects[1]}

// benchStore opens a Store on a counting database of the dialect (SQLite
// with the settings Open would add) and returns it with its statement
// counter.
func benchStore(b *testing.B, d dialect) (*sqlstore.Store, *atomic.Int64) {
	dsn := d.dsn(b)
	if d.dialect == sourceflow.SQLite {
		dsn += "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate"
	}
	db, n, err := openCounting(d.dialect.DriverName(), dsn)
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	prefix := uniquePrefix()
	s, err := sqlstore.New(context.Background(), db, sqlstore.Config{Dialect: d.dialect, TablePrefix: prefix})
	require.NoError(b, err)
	b.Cleanup(func() { dropTables(b, s, prefix) })
	return s, n
}

// report adds throughput and statements per operation to the benchmark's
// results; allocations come from -benchmem.
func report(b *testing.B, statements int64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(statements)/float64(b.N), "stmts/op")
}

func BenchmarkNextSequence(b *testing.B) {
	for _, d := range benchDialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s, n := benchStore(b, d)
			store, ctx := s.Commands(), context.Background()
			b.ReportAllocs()
			n.Store(0)
			for b.Loop() {
				if _, err := store.NextSequence(ctx, "order-1"); err != nil {
					b.Fatal(err)
				}
			}
			report(b, n.Load())
		})
	}
}

// BenchmarkNextSequenceParallel reserves sequences of one entity from
// GOMAXPROCS goroutines: every call updates the same row.
func BenchmarkNextSequenceParallel(b *testing.B) {
	for _, d := range benchDialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s, n := benchStore(b, d)
			store := s.Commands()
			b.ReportAllocs()
			n.Store(0)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := store.NextSequence(context.Background(), "order-1"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			report(b, n.Load())
		})
	}
}

// BenchmarkEntityLoadSave loads an entity and saves it as the next version,
// as a saga handler does for every message.
func BenchmarkEntityLoadSave(b *testing.B) {
	for _, d := range benchDialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s, n := benchStore(b, d)
			store, ctx := s.Entities(), context.Background()
			require.NoError(b, store.Save(ctx, "order-saga", "order-1", []byte(`{"step":0}`), 0))
			b.ReportAllocs()
			n.Store(0)
			for b.Loop() {
				if err := loadSave(ctx, store, "order-1"); err != nil {
					b.Fatal(err)
				}
			}
			report(b, n.Load())
		})
	}
}

func loadSave(ctx context.Context, store cqrs.EntityStore, id string) error {
	doc, err := store.Load(ctx, "order-saga", id)
	if err != nil {
		return err
	}
	return store.Save(ctx, "order-saga", id, doc.Data, doc.Version)
}
