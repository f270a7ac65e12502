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

func Example() {
	dir, _ := os.MkdirTemp("", "cqrs-sqlstore-example")
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(dir, "cqrs.db")})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	commands := store.Commands() // reserve a sequence, then append the command
	seq, _ := commands.NextSequence(ctx, "order-1")
	err = commands.Append(ctx, cqrs.StoredCommand{
		Envelope:    cqrs.Envelope{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: "order-1", Sequence: seq},
		Destination: "orders",
		Payload:     []byte(`{"total":42}`),
	})
	stored, _ := commands.Load(ctx, "order-1")
	fmt.Println(seq, err, len(stored))

	views := store.Views() // every save is conditional on the version loaded
	_ = views.Save(ctx, "order-summary", "order-1", []byte(`{"total":42}`), 0)
	doc, _ := views.Load(ctx, "order-summary", "order-1")
	err = views.Save(ctx, "order-summary", "order-1", []byte(`{"total":0}`), doc.Version-1)
	fmt.Println(doc.Version, errors.Is(err, cqrs.ErrConflict))

	// Writes through a context carrying a transaction commit together.
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		if err := views.Save(ctx, "order-summary", "order-1", []byte(`{"total":43}`), doc.Version); err != nil {
			return err
		}
		return store.Entities().Save(ctx, "order-saga", "order-1", []byte(`{"step":"paid"}`), 0)
	})
	doc, _ = views.Load(ctx, "order-summary", "order-1")
	fmt.Println(err, doc.Version, string(doc.Data))
	// Output:
	// 1 <nil> 1
	// 1 true
	// <nil> 2 {"total":43}
}
