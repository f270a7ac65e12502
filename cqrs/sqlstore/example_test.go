package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// openExampleStore opens a store on a SQLite file in a new temporary
// directory; the returned function closes the store and removes the
// directory.
func openExampleStore(ctx context.Context) (*sqlstore.Store, func()) {
	dir, err := os.MkdirTemp("", "cqrs-sqlstore-example")
	if err != nil {
		panic(err)
	}
	store, err := sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(dir, "cqrs.db")})
	if err != nil {
		panic(err)
	}
	return store, func() {
		_ = store.Close()
		_ = os.RemoveAll(dir)
	}
}

func Example() {
	ctx := context.Background()
	store, closeStore := openExampleStore(ctx)
	defer closeStore()

	commands := store.Commands() // reserve a sequence, then append the command
	seq, err := commands.NextSequence(ctx, "order-1")
	if err != nil {
		panic(err)
	}
	err = commands.Append(ctx, cqrs.StoredCommand{
		Envelope:    cqrs.Envelope{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: "order-1", Sequence: seq},
		Destination: "orders",
		Payload:     []byte(`{"total":42}`),
	})
	if err != nil {
		panic(err)
	}
	stored, err := commands.Load(ctx, "order-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(seq, len(stored))

	views := store.Views() // every save is conditional on the version loaded
	if err := views.Save(ctx, "order-summary", "order-1", []byte(`{"total":42}`), 0); err != nil {
		panic(err)
	}
	doc, err := views.Load(ctx, "order-summary", "order-1")
	if err != nil {
		panic(err)
	}
	err = views.Save(ctx, "order-summary", "order-1", []byte(`{"total":0}`), doc.Version-1)
	fmt.Println(doc.Version, errors.Is(err, cqrs.ErrConflict))

	// Writes through a context carrying a transaction commit together.
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		if err := views.Save(ctx, "order-summary", "order-1", []byte(`{"total":43}`), doc.Version); err != nil {
			return err
		}
		return store.Entities().Save(ctx, "order-saga", "order-1", []byte(`{"step":"paid"}`), 0)
	})
	if err != nil {
		panic(err)
	}
	doc, err = views.Load(ctx, "order-summary", "order-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(doc.Version, string(doc.Data))
	// Output:
	// 1 1
	// 1 true
	// 2 {"total":43}
}
