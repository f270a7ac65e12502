package sqlstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// conflictCounter counts the saves refused with cqrs.ErrConflict.
type conflictCounter struct {
	cqrs.DocumentStore
	n *atomic.Int64
}

func (c conflictCounter) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	err := c.DocumentStore.Save(ctx, kind, id, data, version)
	if errors.Is(err, cqrs.ErrConflict) {
		c.n.Add(1)
	}
	return err
}

// BenchmarkContendedEntity updates one entity's document from GOMAXPROCS
// goroutines at once, as instances of a service on a standard queue may:
// every update is a conditional save that reloads and applies again on a
// conflict (what a saga or view does). It reports the conflicts per update,
// the cost optimistic concurrency pays instead of holding a row lock across
// the handler.
func BenchmarkContendedEntity(b *testing.B) {
	for _, d := range benchDialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			s, _ := benchStore(b, d)
			var conflicts atomic.Int64
			store := conflictCounter{DocumentStore: s.Entities(), n: &conflicts}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := retrySave(store); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
		})
	}
}

// retrySave loads the hot document and saves it on the loaded version,
// again after every conflict.
func retrySave(store cqrs.DocumentStore) error {
	ctx := context.Background()
	for {
		doc, err := store.Load(ctx, "order", "hot")
		if err != nil && !errors.Is(err, cqrs.ErrNotFound) {
			return err
		}
		err = store.Save(ctx, "order", "hot", []byte(`{"n":1}`), doc.Version)
		if !errors.Is(err, cqrs.ErrConflict) {
			return err
		}
	}
}
